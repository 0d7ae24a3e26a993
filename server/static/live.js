/* Live updates on the desk: one server-sent events stream per page (GET /api/v1/live, through the session
 * cookie). The header's unread badge follows the inbox; a task page refreshes its content when its task
 * changes; a dashboard refreshes its figures (debounced) when a task of its scope changes. Nothing is ever
 * replaced while the person is typing: a polite banner waits for them instead.
 *
 * The stream ends now and then (the server renews it, or restarts): reconnect, with growing delays when it
 * fails. A tab left in the background lets its stream go after a while, and refreshes when it comes back.
 */
(function () {
  "use strict";
  if (!window.EventSource || !window.fetch || !window.DOMParser) return;

  var script = document.currentScript;
  var texts = { updated: (script && script.dataset.updated) || "Đã cập nhật" };
  var root = document.documentElement;
  var HIDDEN_CLOSE_MS = 60000;       // a background tab gives its connection back after a minute
  var TASK_DEBOUNCE_MS = 300;
  var BOARD_DEBOUNCE_MS = 1500;      // a burst of changes (a whole list approved) refreshes once...
  var BOARD_MAX_WAIT_MS = 6000;      // ...but a steady trickle still refreshes now and then
  var MAX_BACKOFF_MS = 60000;

  // What this page follows: a task page its task, a dashboard its units.
  var path = location.pathname.replace(/\/+$/, "") || "/";
  var taskMatch = path.match(/^\/tasks\/(\d+)$/);
  var marked = document.querySelector("[data-live-task]");
  var taskId = taskMatch ? taskMatch[1] : (marked ? marked.getAttribute("data-live-task") : null);
  var board = /^\/dashboard(\/tasks)?$/.test(path);
  var inboxPage = path === "/inbox";

  var source = null;
  var failures = 0;
  var retryTimer = null;
  var hiddenTimer = null;
  var stale = false;                 // something may have been missed while disconnected
  var pending = false;               // a refresh waits for the person to stop typing
  var refreshTimer = null;
  var firstEventAt = 0;

  function streamUrl() {
    var query = [];
    if (taskId) query.push("task=" + encodeURIComponent(taskId));
    if (board) query.push("units=true");
    return "/api/v1/live" + (query.length ? "?" + query.join("&") : "");
  }

  function setState(state) { root.setAttribute("data-live", state); }

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = null;
    if (source) return;
    setState("connecting");
    source = new EventSource(streamUrl(), { withCredentials: true });
    source.addEventListener("ready", function (e) {
      failures = 0;
      setState("open");
      var data = parse(e.data);
      if (data) setUnread(data.unread);
      if (stale) { stale = false; scheduleRefresh(0); }
    });
    source.addEventListener("inbox", function (e) {
      var data = parse(e.data);
      if (data) setUnread(data.unread);
      if (inboxPage) scheduleRefresh(TASK_DEBOUNCE_MS);
    });
    source.addEventListener("task", function (e) {
      var data = parse(e.data);
      if (!data) return;
      if (taskId && String(data.id) === String(taskId)) scheduleRefresh(TASK_DEBOUNCE_MS);
      else if (board) scheduleRefresh(BOARD_DEBOUNCE_MS);
    });
    source.addEventListener("resync", function () { scheduleRefresh(0); });
    source.addEventListener("bye", function (e) {
      var data = parse(e.data) || {};
      // "renew": come straight back; "shutdown" or "unavailable": give the servers a moment.
      disconnect(data.reason === "renew" ? 200 : 2000 + Math.random() * 3000);
    });
    source.onerror = function () {
      // EventSource retries by itself only on some errors and without backoff: take the matter in hand.
      failures += 1;
      var delay = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, failures - 1));
      disconnect(delay / 2 + Math.random() * delay / 2);
    };
  }

  function disconnect(retryInMs) {
    if (source) { source.close(); source = null; }
    stale = true;
    setState("closed");
    if (retryInMs !== undefined && !document.hidden) retryTimer = setTimeout(connect, retryInMs);
  }

  function parse(text) {
    try { return JSON.parse(text); } catch (err) { return null; }
  }

  // ------------------------------------------------------------ the unread badge

  function setUnread(count) {
    var n = Number(count) || 0;
    var badges = document.querySelectorAll("[data-live-unread]");
    for (var i = 0; i < badges.length; i++) {
      var badge = badges[i];
      badge.textContent = n > 99 ? "99+" : String(n);
      badge.hidden = n === 0;
      var label = (badge.getAttribute("data-label") || "{n}").replace("{n}", String(n));
      badge.setAttribute("title", label);
      badge.setAttribute("aria-label", label);
    }
  }

  // ------------------------------------------------------------ refreshing the page's content

  function scheduleRefresh(delay) {
    var now = Date.now();
    if (!refreshTimer) firstEventAt = now;
    clearTimeout(refreshTimer);
    var wait = Math.max(0, Math.min(delay, firstEventAt + BOARD_MAX_WAIT_MS - now));
    refreshTimer = setTimeout(function () { refreshTimer = null; refresh(); }, wait);
  }

  function main() { return document.querySelector("main"); }

  function busy() {
    var region = main();
    if (!region) return false;
    var active = document.activeElement;
    if (active && region.contains(active) && (/^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName) || active.isContentEditable)) {
      return true;
    }
    var fields = region.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f.type === "hidden" || f.type === "submit" || f.type === "button") continue;
      if (f.type === "checkbox" || f.type === "radio") { if (f.checked !== f.defaultChecked) return true; }
      else if (f.tagName === "SELECT") {
        for (var j = 0; j < f.options.length; j++) if (f.options[j].selected !== f.options[j].defaultSelected) return true;
      } else if (f.value !== f.defaultValue) return true;
    }
    return false;
  }

  function showBanner() {
    pending = true;
    var banner = document.querySelector("[data-live-banner]");
    if (banner) banner.hidden = false;
  }

  function hideBanner() {
    pending = false;
    var banner = document.querySelector("[data-live-banner]");
    if (banner) banner.hidden = true;
  }

  function refresh() {
    if (!taskId && !board && !inboxPage) return;
    if (busy()) { showBanner(); return; }
    fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        var samePage = new URL(response.url, location.href).pathname === location.pathname;
        if (!response.ok || !samePage) throw new Error("not refreshable");
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main");
        var region = main();
        if (!fresh || !region) return;
        if (busy()) { showBanner(); return; }  // they started typing while the page was on its way
        swap(region, fresh);
        hideBanner();
        announce(texts.updated);
        document.dispatchEvent(new CustomEvent("live:refreshed"));
      })
      .catch(function () { showBanner(); });
  }

  function swap(region, fresh) {
    // Keep what the person opened (a <details> section) and where they were on the page.
    var opened = [];
    var before = region.querySelectorAll("details");
    for (var i = 0; i < before.length; i++) opened.push(before[i].open);
    var x = window.scrollX, y = window.scrollY;
    region.innerHTML = fresh.innerHTML;
    var after = region.querySelectorAll("details");
    if (after.length === opened.length) for (var k = 0; k < after.length; k++) after[k].open = opened[k];
    window.scrollTo(x, y);
  }

  function announce(text) {
    var region = document.querySelector("[data-live-announce]");
    if (!region) return;
    region.textContent = "";
    setTimeout(function () { region.textContent = text; }, 50);
  }

  // When the person stops typing, a waiting refresh happens by itself (if they left nothing half-typed).
  document.addEventListener("focusout", function () {
    if (!pending) return;
    setTimeout(function () { if (pending && !busy()) refresh(); }, 200);
  });
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-live-banner] button");
    if (button) location.reload();
  });

  // ------------------------------------------------------------ background tabs

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      hiddenTimer = setTimeout(function () { disconnect(); }, HIDDEN_CLOSE_MS);
    } else {
      clearTimeout(hiddenTimer);
      if (!source) connect();
    }
  });
  window.addEventListener("pagehide", function () { if (source) { source.close(); source = null; } });
  window.addEventListener("pageshow", function (e) { if (e.persisted && !source) { stale = true; connect(); } });

  // A tab opened in the background waits until it is looked at (browsers allow few connections per site).
  if (document.hidden) stale = true;
  else connect();
})();
