// @ts-check
/* Hộp thư's data: the person's notifications, kept in IndexedDB for reading offline; the unread count in the
   app bar. Marking read offline is remembered on the phone and sent when the signal returns (it is
   idempotent). The screen is screens/inbox.js. */
import * as api from './api.js';
import { db } from './db.js';
import { t } from './i18n.js';

/** @typedef {{id: number, title: string, body?: string, link?: string, task_id?: number, read_at: string | null,
    created_at: string}} Notice */
/** @typedef {{unread: number, items: Notice[]}} Inbox */

/** @returns {Promise<Inbox>} */
export async function cached() {
  return (await db.meta.get('inbox')) || { unread: 0, items: [] };
}

/* Read marks made offline, not yet sent: ids, or 'all' (with the newest id it covered). */
/** @returns {Promise<{ids: number[], all: number}>} */
async function pending() { return (await db.meta.get('inbox_pending')) || { ids: [], all: 0 }; }

export async function flush() {
  const waiting = await pending();
  if (!waiting.ids.length && !waiting.all) return true;
  if (waiting.all) {
    const r = await api.post('/api/v1/inbox/read-all', {});
    if (!r.ok && r.status !== 404) return false;
  }
  for (const id of waiting.ids) {
    const r = await api.post(`/api/v1/inbox/${id}/read`, {});
    if (!r.ok && r.status !== 404) return false;
  }
  await db.meta.set('inbox_pending', { ids: [], all: 0 });
  return true;
}

/* The inbox from the server (after sending offline read marks); the cached copy when that fails. */
export async function refresh() {
  if (!api.online()) return cached();
  await flush();
  const r = await api.get('/api/v1/inbox?limit=100');
  if (!r.ok) return cached();
  // A mark made while this was on its way is not undone by the older answer.
  const waiting = await pending();
  /** @type {Inbox} */
  const inbox = r.body;
  for (const item of inbox.items) {
    if (!item.read_at && (waiting.all || waiting.ids.includes(item.id))) {
      item.read_at = new Date().toISOString();
      inbox.unread = Math.max(0, inbox.unread - 1);
    }
  }
  await db.meta.set('inbox', inbox);
  updateCount(inbox.unread);
  return inbox;
}

/** @param {number} unread */
export function updateCount(unread) {
  const link = document.getElementById('inbox-link');
  if (!link) return;
  const count = /** @type {HTMLElement} */ (link.querySelector('.count-dot'));
  count.textContent = unread > 99 ? '99+' : String(unread);
  count.hidden = !unread;
  link.dataset.unread = String(unread);
  link.setAttribute('aria-label', `${t('Hộp thư')}: ${unread} ${t('chưa đọc')}`);
}

/** @param {number | 'all'} id */
async function markLocally(id) {
  const inbox = await cached();
  const now = new Date().toISOString();
  for (const item of inbox.items) {
    if ((id === 'all' || item.id === id) && !item.read_at) { item.read_at = now; inbox.unread = Math.max(0, inbox.unread - 1); }
  }
  await db.meta.set('inbox', inbox);
  updateCount(inbox.unread);
}

/* Marked on the phone at once; kept as waiting until the server confirms (offline, until the signal returns). */
/** @param {number | 'all'} id */
export async function markRead(id) {
  const waiting = await pending();
  if (id === 'all') waiting.all = 1; else if (!waiting.ids.includes(id)) waiting.ids.push(id);
  await db.meta.set('inbox_pending', waiting);
  await markLocally(id);
  const r = id === 'all' ? await api.post('/api/v1/inbox/read-all', {}) : await api.post(`/api/v1/inbox/${id}/read`, {});
  if (r.ok || r.status === 404) {
    const left = await pending();
    if (id === 'all') left.all = 0; else left.ids = left.ids.filter((x) => x !== id);
    await db.meta.set('inbox_pending', left);
    // An inbox fetched while this was on its way may have put the item back as unread on the phone.
    await markLocally(id);
  }
}

/** Where an item leads in the app: its task's screen (the server's link is the desk's). @param {Notice} item */
export function target(item) {
  if (item.task_id) return `#/task/${item.task_id}`;
  const m = /\/tasks\/(\d+)/.exec(item.link || '');
  return m ? `#/task/${m[1]}` : '#/';
}

export async function start() {
  updateCount((await cached()).unread);
  if (api.online()) await refresh();
}
