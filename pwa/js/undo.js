// @ts-check
/* A few seconds to take back a leader's decision (approve, return) on the phone, without a modal in the way.
   The decision is written to the outbox at once, held (hold_until) so nobody sends it yet, and a bar at the
   foot of the screen offers "Hoàn tác". Undo takes the held item out: nothing was sent. When the window
   closes the item is sent like any other change. The timer belongs to the page, not to a screen, so moving
   to another screen does not stop it; hiding or closing the page closes the window at once and sends (the
   service worker's Background Sync sends it later if the page went before it could). */
import { syncNow } from './app.js';
import { html, setHtml } from './esc.js';
import { t } from './i18n.js';
import * as outbox from './outbox.js';
import * as sync from './sync.js';

export const HOLD_MS = 5000;
/** @type {{id: string, timer: number} | null} */
let current = null;

function bar() {
  let el = document.getElementById('undo-bar');
  if (!el) {
    el = document.createElement('div');
    el.id = 'undo-bar';
    el.className = 'undo-bar';
    el.setAttribute('role', 'status');
    el.hidden = true;
    setHtml(el, html`<span class="undo-text"></span><button type="button" class="link undo-button"></button>`);
    document.body.append(el);
  }
  return el;
}

function hide() {
  const el = document.getElementById('undo-bar');
  if (el) el.hidden = true;
}

/* Close the current window: the held item goes now (a newer decision, the page hidden, the time up). */
export async function commit() {
  if (!current) return;
  const { id, timer } = current;
  current = null;
  clearTimeout(timer);
  hide();
  await outbox.release(id);
  await syncNow('undo-window-closed');
}

/* Queue a change that can be taken back for a few seconds; `onUndo` repaints what the tap changed. */
export async function hold(kind, taskId, body, options, message, onUndo) {
  await commit(); // one bar at a time: an earlier decision is final once another one is made
  const item = await outbox.add(kind, taskId, body, Object.assign({}, options, { holdMs: HOLD_MS }));
  sync.register(); // the service worker sends it even if the page is closed before the window ends
  const el = bar();
  el.querySelector('.undo-text').textContent = t(message);
  const button = /** @type {HTMLButtonElement} */ (el.querySelector('.undo-button'));
  button.textContent = t('Hoàn tác');
  button.onclick = async () => {
    if (!current || current.id !== item.id) return;
    clearTimeout(current.timer);
    current = null;
    hide();
    if (await outbox.cancel(item.id)) {
      if (onUndo) await onUndo();
    } else {
      await syncNow('undo-too-late');
    }
  };
  el.hidden = false;
  current = { id: item.id, timer: setTimeout(commit, HOLD_MS) };
  return item;
}

/* The page is going away or into the background: no one can tap "Hoàn tác" now, so send everything held. */
export async function flush() {
  await commit();
  const held = (await outbox.list()).filter(outbox.isHeld);
  if (!held.length) return;
  await outbox.release();
  await syncNow('page-hidden');
}

addEventListener('pagehide', flush);
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') flush(); });

