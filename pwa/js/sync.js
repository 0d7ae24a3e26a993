// @ts-check
/* Replays the outbox: on `online`, at app start, after each new change, and from the service worker's
   Background Sync. One replay at a time per browser (Web Locks); the server is idempotent anyway, so a
   change that two replays both send still happens once. */
import { db } from './db.js';
import * as outbox from './outbox.js';
import { request } from './api.js';

export const TAG = 'dieuhanh-outbox';
const RETRY_LATER = 'retry';

function retryable(result) {
  const error = result.body && result.body.error;
  return result.status >= 500 || result.status === 429 || (error && error.code === 'idempotency_conflict');
}

/** @param {string} url @param {RequestInit} init */
function post(url, init) {
  return request(url, { method: 'POST', ...init }); // null: no network, or the server went away mid-request
}

async function signedOut() {
  await db.meta.set('needs_login', true);
  outbox.changed({ needs_login: true });
  return { ok: false, auth: true };
}

// The server takes at most this many changes a request (server/sync/batch.py MAX_BATCH); a longer outbox
// (days without signal) goes in several requests, oldest first, instead of being refused whole forever.
const MAX_BATCH = 100;

async function sendChanges() {
  const waiting = (await outbox.list()).filter((item) => !item.answer && !outbox.isHeld(item));
  if (!waiting.length) return null;
  let again = false;
  for (let start = 0; start < waiting.length; start += MAX_BATCH) {
    const items = waiting.slice(start, start + MAX_BATCH);
    const response = await post('/api/v1/sync', {
      headers: { 'Content-Type': 'application/json' },
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
      await db.update('outbox', result.id, (item) => {
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
  for (const item of await outbox.list()) {
    if (!item.report_id) continue;
    for (const photo of item.photos || []) {
      if (photo.done) continue;
      const form = new FormData();
      form.append('data', photo.blob, photo.name);
      const response = await post(`/api/v1/progress/${item.report_id}/attachments`, {
        headers: { 'Idempotency-Key': photo.key },
        body: form,
      });
      if (response === null) return { ok: false, offline: true };
      if (response.status === 401) return signedOut();
      if (response.status >= 500 || response.status === 429) return { ok: false, status: response.status };
      let message = '';
      if (!response.ok) {
        try { message = (await response.json()).error.message; } catch (e) { message = String(response.status); }
      }
      await db.update('outbox', item.id, (current) => {
        const stored = current.photos.find((p) => p.key === photo.key);
        stored.done = true;
        if (message) { stored.error = message; current.outcome = current.outcome || 'failed'; }
      });
      outbox.changed();
    }
  }
  return null;
}

async function settle() {
  for (const item of await outbox.list()) {
    if (item.answer && !item.outcome && !outbox.isWaiting(item)) await db.del('outbox', item.id);
  }
}

async function replay() {
  const sent = await sendChanges();
  if (sent && sent.auth) return sent;
  const uploaded = await uploadPhotos();
  await settle();
  outbox.changed({ synced: true });
  if (sent) return sent;
  if (uploaded) return uploaded;
  await db.meta.set('needs_login', false);
  const left = await outbox.counts();
  // A held decision is not a failure to retry now: its own timer sends it when its undo window closes.
  return { ok: left.waiting - left.held === 0, held: left.held };
}

let running = null;
export async function run(reason) {
  // One replay per context at a time; across the page and the service worker, a Web Lock.
  if (running) return running;
  running = (async () => {
    try {
      if (globalThis.navigator && globalThis.navigator.locks) return await globalThis.navigator.locks.request('dieuhanh-outbox', replay);
      return await replay();
    } finally {
      running = null;
    }
  })();
  return running;
}

/* Ask the service worker to replay when the signal returns, even if the app is closed by then. */
export async function register() {
  try {
    // Background Sync is not in every browser's types (nor the worker's navigator): named here.
    const workers = /** @type {{serviceWorker: {ready: Promise<{sync?: {register(tag: string): Promise<void>}}>}}} */ (
      /** @type {unknown} */ (globalThis.navigator)).serviceWorker;
    const registration = await workers.ready;
    if (registration.sync) await registration.sync.register(TAG);
    return true;
  } catch (error) {
    return false; // no Background Sync (or no permission): the `online` event and app start replay instead
  }
}

/* The task cache: my tasks changed since the cursor, then the details of those. */
export async function refreshTasks() {
  const since = await db.meta.get('tasks_cursor');
  const response = await request('/api/v1/sync/tasks' + (since ? '?since=' + encodeURIComponent(since) : ''));
  if (!response) return { ok: false, offline: true };
  if (response.status === 401) return { ok: false, auth: true };
  if (!response.ok) return { ok: false, status: response.status };
  const data = await response.json();
  const keep = new Set(data.ids);
  const gone = (await db.all('tasks')).filter((task) => !keep.has(task.id)).map((task) => task.id);
  await db.putMany('tasks', data.items);
  if (gone.length) { await db.delMany('tasks', gone); await db.delMany('details', gone); }
  const details = [];
  for (const item of data.items) {
    const r = await request(`/api/v1/tasks/${item.id}`);
    if (!r) return { ok: false, offline: true };
    if (r.ok) details.push(await r.json());
  }
  if (details.length) await db.putMany('details', details);
  await db.meta.set('tasks_cursor', data.cursor);
  return { ok: true, changed: data.items.length };
}

