// @ts-check
/* The app's one entry (index.html loads it as a module): the screens by address, the page-wide taps, and
   the start. Everything else is reached from here through imports, which is also the list of files the
   service worker keeps for offline use (server/app_shell.py reads it from these imports). */
import * as api from './api.js';
import * as app from './app.js';
import * as camera from './camera.js';
import { db } from './db.js';
import { html, setHtml } from './esc.js';
import * as i18n from './i18n.js';
import * as inbox from './inbox.js';
import * as outbox from './outbox.js';
import * as push from './push.js';
import { approvalsView } from './screens/approvals.js';
import { extendView, reportView } from './screens/forms.js';
import { inboxView } from './screens/inbox.js';
import { loginView } from './screens/login.js';
import { outboxView } from './screens/outbox.js';
import { settingsView } from './screens/settings.js';
import { taskView } from './screens/task.js';
import { tasksView } from './screens/tasks.js';
import { splitView, unitView } from './screens/unit.js';
import * as sync from './sync.js';
import * as undo from './undo.js';

/** @param {string} hash @param {import('./app.js').Person | null} me */
function route(hash, me) {
  if (hash === '#/login' || !me) return loginView();
  let m;
  if ((m = /^#\/task\/(\d+)\/report$/.exec(hash))) return reportView(Number(m[1]));
  if ((m = /^#\/task\/(\d+)\/extend$/.exec(hash))) return extendView(Number(m[1]));
  if ((m = /^#\/task\/(\d+)\/(split|assign)$/.exec(hash))) return splitView(Number(m[1]), m[2]);
  if ((m = /^#\/task\/(\d+)$/.exec(hash))) return taskView(Number(m[1]));
  if (hash === '#/approvals') return approvalsView();
  if (hash === '#/outbox') return outboxView();
  if (hash === '#/inbox') return inboxView();
  if (hash === '#/settings') return settingsView();
  if (hash === '#/unit') return unitView();
  return tasksView();
}

// Delegated: dismissing a refused item works wherever the outbox is listed.
document.addEventListener('click', (event) => {
  const element = /** @type {Element} */ (event.target);
  const target = /** @type {HTMLElement | null} */ (element.closest && element.closest('[data-dismiss]'));
  if (target) outbox.dismiss(String(target.dataset.dismiss)).then(() => app.render());
});

// The photo viewer: the display size over the screen, closed with a tap (or Back on the phone).
document.addEventListener('click', (event) => {
  const element = /** @type {Element} */ (event.target);
  const photo = element.closest && element.closest('a[data-photo]');
  if (!photo || event.ctrlKey || event.metaKey) return;
  event.preventDefault();
  const viewer = document.createElement('div');
  viewer.className = 'viewer';
  viewer.setAttribute('role', 'dialog');
  setHtml(viewer, html`<img alt="" src="${photo.getAttribute('href')}"><button type="button" class="link">${i18n.t('Đóng')}</button>`);
  viewer.addEventListener('click', () => viewer.remove());
  document.body.append(viewer);
});

// The app's parts by name, for the console and the browser tests (which read the phone's outbox and cache).
Object.assign(globalThis, {
  DH: {
    api, app: { ...app, get me() { return app.person(); } }, camera, db, i18n, inbox, outbox, push, sync, undo,
  },
});

app.setRouter(route);
app.start();
