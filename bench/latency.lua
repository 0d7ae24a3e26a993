-- wrk script for bench/run.py: rotate session cookies across requests, print the latency in a parseable form.
--
--   wrk -t1 -c50 -d10s -s bench/latency.lua URL -- "dieuhanh_session=..." "dieuhanh_session=..."
--
-- Each argument after "--" is one Cookie header value; requests cycle through them (each thread starts at
-- another one), so the load is spread over several officers' task lists. With no argument, no cookie.
-- At the end one line is printed:
--   BENCH_RESULT {"requests":..,"duration_us":..,"rps":..,"p50_us":..,...,"non_2xx":..,"socket_errors":..}

local cookies = {}
local prepared = {}
local index = 0
local threads = {}
local counter = 0

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  for _, value in ipairs(args) do
    table.insert(cookies, value)
  end
  local headers = {}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  if #cookies == 0 then
    prepared[1] = wrk.format(nil, nil, headers)
  else
    for i, cookie in ipairs(cookies) do
      headers["Cookie"] = cookie
      prepared[i] = wrk.format(nil, nil, headers)
    end
  end
  index = (offset or 0) % #prepared
end

function request()
  index = index % #prepared + 1
  return prepared[index]
end

function done(summary, latency, requests)
  local errors = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"rps":%.2f,"p50_us":%d,"p90_us":%d,"p95_us":%d,' ..
    '"p99_us":%d,"max_us":%d,"mean_us":%.1f,"non_2xx":%d,"socket_errors":%d,"bytes":%d}\n',
    summary.requests, summary.duration, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout, summary.bytes))
end
