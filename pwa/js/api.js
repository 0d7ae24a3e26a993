/* Requests that need the network (splitting, assigning, chasing, the inbox, push settings): answered at once
   or refused with a clear reason, never queued. Each change carries an Idempotency-Key made once per screen,
   so a double tap or a retry of the same press happens once. */
'use strict';
(function (g) {
  const DH = (g.DH = g.DH || {});
  const HEADERS = { 'X-Requested-With': 'dieuhanh' };
  // A read that hangs (signal bars but no data) gives up, so the screen falls back to what is on the phone
  // instead of waiting minutes; changes are not cut short, their Idempotency-Key makes a retry safe anyway.
  const settings = { readTimeoutMs: 10000 };

  function online() { return g.navigator.onLine !== false; }

  /* {ok, status, body, offline}: offline when there is no signal or the server cannot be reached. */
  async function call(method, url, body, key) {
    if (!online()) return { ok: false, offline: true, status: 0, body: null };
    const headers = Object.assign({}, HEADERS);
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (key) headers['Idempotency-Key'] = key;
    let response;
    try {
      response = await fetch(url, {
        method, credentials: 'same-origin', headers, body: body === undefined ? undefined : JSON.stringify(body),
        signal: method === 'GET' && typeof AbortSignal.timeout === 'function'  // not in Safari before 16
          ? AbortSignal.timeout(settings.readTimeoutMs) : undefined,
      });
    } catch (error) {
      return { ok: false, offline: true, status: 0, body: null };
    }
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      // A body cut off (the read timed out after the headers, the signal dropped) is no answer at all.
      if (response.ok && response.status !== 204) return { ok: false, offline: true, status: 0, body: null };
    }
    return { ok: response.ok, status: response.status, body: data, offline: false };
  }

  /* The reason to show for a refused request, in the person's language (the server localises its errors). */
  function reason(result) {
    if (result.offline) return DH.i18n.t('Cần có mạng để thực hiện thao tác này');
    if (result.status === 401) return DH.i18n.t('Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.');
    const error = result.body && result.body.error;
    return (error && error.message) || `${DH.i18n.t('Lỗi')} ${result.status}`;
  }

  /* One task's detail from the server, kept on the phone for offline reading. */
  async function task(id) {
    const result = await call('GET', `/api/v1/tasks/${id}`);
    if (result.ok) await DH.db.put('details', result.body);
    return result;
  }

  DH.api = {
    settings,
    online,
    task,
    get: (url) => call('GET', url),
    post: (url, body, key) => call('POST', url, body, key),
    put: (url, body) => call('PUT', url, body),
    del: (url, body) => call('DELETE', url, body),
    reason,
  };
})(self);
