// @ts-check
/* Nhắc việc: a unit head or leader reminds the officers of a late task, once per press, and every screen that
   shows the task says who was reminded for as long as the server would answer "already chased". It needs
   the network: offline the button says so. */
import * as api from './api.js';
import { redraw, whenPersonLeaves } from './app.js';
import { html, setHtml } from './esc.js';
import { t } from './i18n.js';
import * as outbox from './outbox.js';
import { date } from './ui.js';

export const CHASE_STATES = ['assigned', 'in_progress', 'returned'];

/** @param {any} task */
export function canChase(task) {
  return !!task.can_split && CHASE_STATES.includes(task.state) && (task.assignees || []).length > 0;
}

/** @param {any} answer */
function chasedLine(answer) {
  const names = (answer.recipients || []).map((/** @type {any} */ p) => p.full_name).join(', ');
  const at = date(answer.chased_at);
  return answer.repeated
    ? html`${t('Đã nhắc việc lúc')} ${at} (${answer.chased_by}); ${t('không gửi thêm')}`
    : html`${t('Đã nhắc việc')}: ${names} · ${at}`;
}

/* The chases answered on this page, by task: a screen drawn again (a sync, a language switch) still says
   who was reminded, and its button stays spent, for as long as the server would answer "already chased"
   (30 minutes); after that the button works again. Forgotten when the person signs out. */
const CHASE_COOLDOWN_MS = 30 * 60 * 1000;
/** @type {Map<number, {answer: any, at: number}>} */
const chased = new Map();
whenPersonLeaves(() => chased.clear());

/** @param {number} taskId */
export function chaseStatus(taskId) {
  const known = chased.get(taskId);
  if (!known) return null;
  if (Date.now() - known.at > CHASE_COOLDOWN_MS) { chased.delete(taskId); return null; }
  return { html: chasedLine(known.answer), className: 'decided', spent: true };
}

/** What a card says next to its button. @param {number} taskId */
export function statusLine(taskId) {
  const known = chaseStatus(taskId);
  return known ? html`<span data-chase-status class="${known.className}">${known.html}</span>`
    : html`<span data-chase-status></span>`;
}

/** One press, one reminder: the button is disabled at once, and its key is made once per screen.
    @param {HTMLButtonElement} button @param {number} taskId @param {(answer: any) => Promise<void>} [onDone] */
export function wireChase(button, taskId, onDone) {
  const key = outbox.uuid();
  if (chaseStatus(taskId)) { button.disabled = true; button.dataset.chased = 'yes'; }
  button.addEventListener('click', async () => {
    const status = /** @type {HTMLElement} */ (
      (button.parentElement && button.parentElement.querySelector('[data-chase-status]')) || button.nextElementSibling);
    if (!api.online()) { status.textContent = t('Cần có mạng để nhắc việc'); status.className = 'error'; return; }
    button.disabled = true;
    const result = await api.post(`/api/v1/tasks/${taskId}/chase`, {}, key);
    if (result.ok) {
      chased.set(taskId, { answer: result.body, at: Date.now() });
      setHtml(status, chasedLine(result.body));
      status.className = 'decided';
      button.dataset.chased = 'yes';
      // The screen was drawn again while the answer travelled: draw it once more so it shows the answer.
      const hash = location.hash || '#/';
      if (!status.isConnected && (hash === '#/unit' || hash === `#/task/${taskId}`)) await redraw(hash);
      if (onDone) await onDone(result.body);
    } else {
      status.textContent = api.reason(result);
      status.className = 'error';
      button.disabled = false;
    }
  });
}
