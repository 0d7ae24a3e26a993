// @ts-check
/* The app's running state: who is signed in, the badge, the one render queue, and when to replay the outbox.
   The screens call it (render, redraw, queue, syncNow); it calls no screen: main.js gives it the router. */
import * as api from './api.js';
import { db } from './db.js';
import * as i18n from './i18n.js';
import * as inbox from './inbox.js';
import * as outbox from './outbox.js';
import * as push from './push.js';
import * as sync from './sync.js';

const t = i18n.t;
/** @typedef {{id: number, full_name: string, role: string}} Person */
/** @type {Person | null} */
let me = null;
/** @type {number | null} */
let retryTimer = null;
let retryDelay = 500;
/** @type {(hash: string, me: Person | null) => Promise<void> | void} */
let route = () => {};
/** @type {Array<() => void>} */
const leaving = [];

/** @param {string} id */
function byId(id) { return /** @type {HTMLElement} */ (document.getElementById(id)); }

/** Who is signed in on this phone (null: nobody, or not known yet). */
export function person() { return me; }

/** The screens, by address: set once by main.js. @param {typeof route} router */
export function setRouter(router) { route = router; }

/** What a screen keeps for the person on show (who was chased) is dropped when they sign out or someone else
    signs in. @param {() => void} forget */
export function whenPersonLeaves(forget) { leaving.push(forget); }

/* Views that redraw when the server's answers arrive; forms and the approval queue are left as they are. */
function liveView() {
  return /^#\/($|outbox$|task\/\d+$)/.test(location.hash || '#/');
}

async function updateBadge() {
  const counts = await outbox.counts();
  // A decision in its undo window is not "waiting to send" yet: the undo bar speaks for it.
  const waiting = counts.waiting - counts.held;
  const badge = byId('badge');
  badge.textContent = i18n.waitingBadge(waiting);
  badge.dataset.count = String(waiting);
  badge.hidden = waiting === 0 && counts.refused === 0;
  badge.classList.toggle('has-refused', counts.refused > 0);
  byId('offline').hidden = navigator.onLine;
}

function renderChrome() {
  document.documentElement.lang = i18n.locale;
  byId('nav-tasks').textContent = t('Nhiệm vụ');
  byId('nav-outbox').textContent = t('Đang chờ gửi');
  const manager = !!me && ['leader', 'unit_head'].includes(me.role);
  const approvals = byId('nav-approvals');
  approvals.textContent = t('Duyệt');
  approvals.hidden = !manager;
  const unit = byId('nav-unit');
  unit.textContent = t('Đơn vị');
  unit.hidden = !manager;
  byId('inbox-link').hidden = !me;
  byId('settings-link').hidden = !me;
  byId('settings-link').setAttribute('aria-label', t('Cài đặt'));
  const hash = location.hash || '#/';
  for (const link of document.querySelectorAll('.tabs a')) {
    link.classList.toggle('active', link.getAttribute('href') === hash || (link.id === 'nav-tasks' && /^#\/(task\/|$)/.test(hash)));
  }
  byId('offline').textContent = t('Ngoại tuyến');
  byId('lang').textContent = i18n.locale === 'vi' ? 'EN' : 'VI';
  byId('lang').setAttribute('aria-label', t('Ngôn ngữ'));
  byId('user').textContent = me ? me.full_name : '';
}

/* One render at a time: a render asked for while one runs (the hash changed, a sync finished) runs once
   after it, so a slow view never paints over a newer one, nor a form twice while someone types in it. */
/** @type {Promise<void> | null} */
let rendering = null;
let renderAgain = false;
let forceRender = false;
/** @returns {Promise<void>} */
export function render() {
  if (rendering) { renderAgain = true; return rendering; }
  rendering = (async () => {
    try {
      do {
        renderAgain = false;
        // A view that fails must not take the render asked for behind it down with it.
        try { await renderOnce(); } catch (error) { console.error(error); }
      } while (renderAgain);
    } finally {
      rendering = null;
    }
  })();
  return rendering;
}

/* A view's own redraw once an answer arrives (a chase, a saved part, a setting): only while that address is
   still on show, and through the one render queue, so a late answer never paints over a screen the person
   has moved to meanwhile. Resolves to whether that screen is the one on show afterwards. */
/** @param {string} hash */
export async function redraw(hash) {
  const current = () => (location.hash || '#/') === hash;
  if (!current()) return false;
  forceRender = true;
  await render();
  return current() && byId('main').dataset.view === hash;
}

async function renderOnce() {
  renderChrome();
  await updateBadge();
  const hash = location.hash || '#/';
  const main = byId('main');
  // A form already on the screen for this address keeps what is typed in it (a sync, a second hashchange),
  // unless it was sent: coming back to the address then opens an empty form, never the sent one with its
  // photos still in it (a render queued while the sent form was on show would have kept it).
  const form = /^#\/task\/\d+\/(report|extend|split|assign)$/.test(hash);
  if (form && !forceRender && main.dataset.view === hash && !main.querySelector('form[data-sent]')) return;
  forceRender = false;
  await route(hash, me);
  main.dataset.view = hash; // what is on the screen now (set after the view, which may have been slow)
}

/** @param {number} id @param {object} change */
export async function patchTask(id, change) {
  await db.update('tasks', id, (task) => Object.assign(task, change));
  await db.update('details', id, (task) => Object.assign(task, change));
}

/** @param {string} kind @param {number} taskId @param {object} body @param {object} [options] */
export async function queue(kind, taskId, body, options) {
  const item = await outbox.add(kind, taskId, body, options);
  sync.register();
  syncNow('change');
  return item;
}

function scheduleRetry() {
  if (retryTimer || !navigator.onLine) return;
  retryTimer = setTimeout(() => { retryTimer = null; syncNow('retry'); }, retryDelay);
  retryDelay = Math.min(retryDelay * 2, 8000);
}

/** @param {string} reason */
export async function syncNow(reason) {
  if (!me || !navigator.onLine) { await updateBadge(); return null; }
  const result = await sync.run(reason);
  if (result.ok) {
    retryDelay = 500;
    const refreshed = await sync.refreshTasks();
    inbox.refresh();
    if (refreshed.ok && refreshed.changed && liveView()) await render();
  } else if (result.auth) {
    await render();
  } else {
    scheduleRetry();
  }
  await updateBadge();
  return result;
}

/** @param {Person} person */
export async function signedIn(person) {
  await personChanges(person);
  me = person;
  await db.meta.set('me', person);
  await db.meta.set('needs_login', false);
  if (location.hash === '#/login') location.hash = '#/';
  await render();
  await sync.refreshTasks();
  await syncNow('signed-in');
  await render();
}

async function whoAmI() {
  me = await db.meta.get('me');
  if (!navigator.onLine) return;
  try {
    const response = await api.request('/api/v1/auth/me');
    if (!response) return; // offline after all: keep the last person seen
    if (response.ok) {
      const person = await response.json();
      if (!me || me.id !== person.id) { await personChanges(person); }
      me = person;
      await db.meta.set('me', person);
    } else if (response.status === 401) {
      me = null; // the queued changes stay; they are sent after signing in again
    }
  } catch (e) { /* the answer cut off: keep the last person seen */ }
}

/* Someone else signs in on this phone: the task cache was theirs (the outbox stays, it is replayed as them
   only if they are its author; the server refuses the rest), and so were their inbox, their unit's list,
   their approval queue and their settings. */
/** @param {Person} person */
async function personChanges(person) {
  const previous = await db.meta.get('me');
  if (!previous || previous.id === person.id) return;
  await db.clear('tasks'); await db.clear('details'); await db.meta.set('tasks_cursor', null);
  for (const forget of leaving) forget();
  for (const key of ['inbox', 'inbox_pending', 'unit_tasks', 'push_settings', 'approvals']) await db.meta.set(key, null);
}

export async function logout() {
  // This phone stops receiving my notifications: the next person to sign in here must not get them.
  try { if (await push.current()) await push.unsubscribe(); } catch (e) { /* offline: the server keeps it */ }
  await api.request('/api/v1/auth/logout', { method: 'POST' }); // offline: the cookie is dropped next time
  me = null;
  for (const forget of leaving) forget();
  await db.meta.set('me', null);
  location.hash = '#/login';
  await render();
}

export async function start() {
  if ('serviceWorker' in navigator) {
    // A module worker: it imports the outbox's replay (sync.js) like the page does. (/sw.js is the classic
    // worker of before, now a bridge that hands the phones that have it over to this one.)
    navigator.serviceWorker.register('/service-worker.js', { scope: '/', type: 'module' }).catch(() => {});
  }
  addEventListener('hashchange', render);
  addEventListener('online', () => { retryDelay = 500; updateBadge(); syncNow('online'); });
  addEventListener('offline', updateBadge);
  addEventListener('outbox-changed', async (event) => {
    await updateBadge();
    const detail = /** @type {CustomEvent} */ (event).detail;
    if (detail && detail.synced && location.hash === '#/outbox') await render();
  });
  if (outbox.channel) {
    outbox.channel.onmessage = async (event) => {
      await updateBadge();
      if (event.data && event.data.synced && liveView()) {
        await sync.refreshTasks();
        await render();
      }
    };
  }
  byId('lang').addEventListener('click', () => {
    i18n.setLocale(i18n.locale === 'vi' ? 'en' : 'vi');
    forceRender = true;
    render();
  });
  // A decision held for its undo window when the page went (a reload, a crash) has no undo bar any more.
  await outbox.release();
  await whoAmI();
  await render();
  document.body.dataset.ready = 'yes';
  if (me) inbox.start();
  if (me && navigator.onLine) {
    const refreshed = await sync.refreshTasks();
    await syncNow('start');
    // Forms keep what the person is typing: only the views that show the cache redraw.
    if (refreshed.ok && liveView()) await render();
  }
  document.body.dataset.started = 'yes'; // the first refresh and replay are over (tests wait for this)
}
