/* Replays the outbox: on `online`, at app start, after each new change, and from the service worker's
   Background Sync. One replay at a time per browser (Web Locks); the server is idempotent anyway, so a
   change that two replays both send still happens once. */
'use strict';
(function (g) {
  const DH = (g.DH = g.DH || {});
  const TAG = 'dieuhanh-outbox';
  const HEADERS = { 'X-Requested-With': 'dieuhanh' };
  const RETRY_LATER = 'retry';

  function retryable(result) {
    const error = result.body && result.body.error;
    return result.status >= 500 || result.status === 429 || (error && error.code === 'idempotency_conflict');
  }

  async function post(url, init) {
    try {
      return await fetch(url, Object.assign({ method: 'POST', credentials: 'same-origin' }, init));
    } catch (error) {
      return null; // no network, or the server went away mid-request
    }
  }

  async function signedOut() {
    await DH.db.meta.set('needs_login', true);
    DH.outbox.changed({ needs_login: true });
    return { ok: false, auth: true };
  }

  // The server takes at most this many changes a request (server/sync/batch.py MAX_BATCH); a longer outbox
  // (days without signal) goes in several requests, oldest first, instead of being refused whole forever.
  const MAX_BATCH = 100;

  async function sendChanges() {
    const waiting = (await DH.outbox.list()).filter((item) => !item.answer && !DH.outbox.isHeld(item));
    if (!waiting.length) return null;
    let again = false;
    for (let start = 0; start < waiting.length; start += MAX_BATCH) {
      const items = waiting.slice(start, start + MAX_BATCH);
      const response = await post('/api/v1/sync', {
        headers: Object.assign({ 'Content-Type': 'application/json' }, HEADERS),
        body: JSON.stringify({
          changes: items.map((item) => ({ id: item.id, kind: item.kind, task_id: item.task_id, body: item.body })),
        }),
      });
      if (response === null) return { ok: false, offline: true };
      if (response.status === 401) return signedOut();
      if (!response.ok) return { ok: false, status: response.status };
      const data = await response.json();
      for (const result of data.results) {
        if (retryable(result)) { again = true; continue; }
        await DH.db.update('outbox', result.id, (item) => {
          item.answer = { status: result.status, body: result.body };
          if (result.body && result.body.report_id) item.report_id = result.body.report_id;
          if (result.status === 409) item.outcome = 'refused';
          else if (result.status >= 400) item.outcome = 'failed';
        });
      }
    }
    return again ? { ok: false, status: RETRY_LATER } : null;
  }

  async function uploadPhotos() {
    for (const item of await DH.outbox.list()) {
      if (!item.report_id) continue;
      for (const photo of item.photos || []) {
        if (photo.done) continue;
        const form = new FormData();
        form.append('data', photo.blob, photo.name);
        const response = await post(`/api/v1/progress/${item.report_id}/attachments`, {
          headers: Object.assign({ 'Idempotency-Key': photo.key }, HEADERS),
          body: form,
        });
        if (response === null) return { ok: false, offline: true };
        if (response.status === 401) return signedOut();
        if (response.status >= 500 || response.status === 429) return { ok: false, status: response.status };
        let message = '';
        if (!response.ok) {
          try { message = (await response.json()).error.message; } catch (e) { message = String(response.status); }
        }
        await DH.db.update('outbox', item.id, (current) => {
          const stored = current.photos.find((p) => p.key === photo.key);
          stored.done = true;
          if (message) { stored.error = message; current.outcome = current.outcome || 'failed'; }
        });
        DH.outbox.changed();
      }
    }
    return null;
  }

  async function settle() {
    for (const item of await DH.outbox.list()) {
      if (item.answer && !item.outcome && !DH.outbox.isWaiting(item)) await DH.db.del('outbox', item.id);
    }
  }

  async function replay() {
    const sent = await sendChanges();
    if (sent && sent.auth) return sent;
    const uploaded = await uploadPhotos();
    await settle();
    DH.outbox.changed({ synced: true });
    if (sent) return sent;
    if (uploaded) return uploaded;
    await DH.db.meta.set('needs_login', false);
    const left = await DH.outbox.counts();
    // A held decision is not a failure to retry now: its own timer sends it when its undo window closes.
    return { ok: left.waiting - left.held === 0, held: left.held };
  }

  let running = null;
  async function run(reason) {
    // One replay per context at a time; across the page and the service worker, a Web Lock.
    if (running) return running;
    running = (async () => {
      try {
        if (g.navigator && g.navigator.locks) return await g.navigator.locks.request('dieuhanh-outbox', replay);
        return await replay();
      } finally {
        running = null;
      }
    })();
    return running;
  }

  /* Ask the service worker to replay when the signal returns, even if the app is closed by then. */
  async function register() {
    try {
      const registration = await g.navigator.serviceWorker.ready;
      if (registration.sync) await registration.sync.register(TAG);
      return true;
    } catch (error) {
      return false; // no Background Sync (or no permission): the `online` event and app start replay instead
    }
  }

  /* The task cache: my tasks changed since the cursor, then the details of those. */
  async function refreshTasks() {
    const since = await DH.db.meta.get('tasks_cursor');
    let response;
    try {
      response = await fetch('/api/v1/sync/tasks' + (since ? '?since=' + encodeURIComponent(since) : ''),
        { credentials: 'same-origin' });
    } catch (error) {
      return { ok: false, offline: true };
    }
    if (response.status === 401) return { ok: false, auth: true };
    if (!response.ok) return { ok: false, status: response.status };
    const data = await response.json();
    const keep = new Set(data.ids);
    const gone = (await DH.db.all('tasks')).filter((task) => !keep.has(task.id)).map((task) => task.id);
    await DH.db.putMany('tasks', data.items);
    if (gone.length) { await DH.db.delMany('tasks', gone); await DH.db.delMany('details', gone); }
    const details = [];
    for (const item of data.items) {
      try {
        const r = await fetch(`/api/v1/tasks/${item.id}`, { credentials: 'same-origin' });
        if (r.ok) details.push(await r.json());
      } catch (error) {
        return { ok: false, offline: true };
      }
    }
    if (details.length) await DH.db.putMany('details', details);
    await DH.db.meta.set('tasks_cursor', data.cursor);
    return { ok: true, changed: data.items.length };
  }

  DH.sync = { TAG, run, register, refreshTasks };
})(self);
