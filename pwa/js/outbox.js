// @ts-check
/* The outbox: every change is written here first, with a client UUID, and only then sent.
   An item: {id, kind: progress|transition|extension, task_id, body, photos: [{key, blob, name, done}],
   created, label, answer: {status, body} once the server answered, outcome: null|'refused'|'failed',
   hold_until: a time before which it is not sent (the few seconds a leader has to undo a decision, undo.js)}.
   An item leaves the outbox when the server accepted it and every photo is uploaded; a refused or failed
   one stays, shown with its reason, until the officer dismisses it. */
import { db } from './db.js';

/** @typedef {{key: string, blob: Blob, name: string, done: boolean, error?: string}} Photo */
/** @typedef {{id: string, kind: string, task_id: number, body: any, label: string, photos: Photo[], created: number,
    hold_until: number, answer: {status: number, body: any} | null, outcome: string | null, report_id?: number}} Item */

export function uuid() {
  if (globalThis.crypto && globalThis.crypto.randomUUID) return globalThis.crypto.randomUUID();
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function isWaiting(item) {
  if (!item.answer) return true;
  return !!item.report_id && (item.photos || []).some((p) => !p.done);
}

/* Held: written, but not to be sent before its undo window closes. */
export function isHeld(item) {
  return !item.answer && (item.hold_until || 0) > Date.now();
}

export const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel('dieuhanh') : null;

export function changed(detail) {
  const message = Object.assign({ type: 'outbox-changed' }, detail || {});
  if (channel) channel.postMessage(message);
  // Only the page listens for it; the service worker tells the page through the channel.
  if (typeof CustomEvent !== 'undefined' && 'document' in globalThis) {
    globalThis.dispatchEvent(new CustomEvent('outbox-changed', { detail: message }));
  }
}

export async function add(kind, taskId, body, options) {
  const opts = options || {};
  const id = uuid();
  const item = {
    id,
    kind,
    task_id: taskId,
    body,
    label: opts.label || '',
    photos: (opts.photos || []).map((photo, index) => ({
      key: `${id}.photo.${index}`, blob: photo.blob, name: photo.name || `anh-${index + 1}.jpg`, done: false,
    })),
    created: Date.now(),
    hold_until: opts.holdMs ? Date.now() + opts.holdMs : 0,
    answer: null,
    outcome: null,
  };
  await db.put('outbox', item);
  changed({ added: id });
  return item;
}

export async function list() {
  const items = await db.all('outbox');
  return items.sort((a, b) => a.created - b.created);
}

export async function counts() {
  const items = await list();
  return {
    waiting: items.filter(isWaiting).length,
    held: items.filter(isHeld).length,
    refused: items.filter((i) => !isWaiting(i) && i.outcome).length,
  };
}

/* Undo: a held change that was never sent is taken out; one already answered stays (returns false). */
export async function cancel(id) {
  const item = await db.get('outbox', id);
  if (!item || item.answer) return false;
  await db.del('outbox', id);
  changed();
  return true;
}

/* The undo window closes at once (the page is hidden, or a newer decision takes the undo bar). */
export async function release(id) {
  for (const item of await list()) {
    if ((id == null || item.id === id) && isHeld(item)) {
      await db.update('outbox', item.id, (current) => { current.hold_until = 0; });
    }
  }
}

export async function dismiss(id) {
  const item = await db.get('outbox', id);
  if (item && !isWaiting(item)) await db.del('outbox', id);
  changed();
}

