// @ts-check
/* What every screen shares: the main area, dates in Vietnam's time, state names, photos, places, and a task's
   detail read from the phone first. Everything that writes markup returns `html` (esc.js). */
import * as api from './api.js';
import { db } from './db.js';
import { html, setHtml } from './esc.js';
import { t } from './i18n.js';

/** @typedef {import('./esc.js').Html} Html */

const STATES = /** @type {Record<string, string>} */ ({
  draft: 'Nháp', assigned: 'Mới giao', in_progress: 'Đang thực hiện', submitted: 'Chờ duyệt',
  returned: 'Trả lại', done: 'Hoàn thành', cancelled: 'Đã hủy',
});
// The order of the lists, most urgent first.
export const URGENCY = [
  ['overdue', 'Quá hạn'], ['due_today', 'Đến hạn hôm nay'], ['due_soon', 'Sắp đến hạn'],
  ['later', 'Trong hạn'], ['closed', 'Đã kết thúc'],
];
export const URGENCY_ORDER = /** @type {Record<string, number>} */ (Object.fromEntries(URGENCY.map(([key], i) => [key, i])));

/** dd/mm/yyyy, with hh:mm in Vietnam's time for a moment; plain text. @param {string | null | undefined} value */
export function date(value) {
  if (!value) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) return value;
  if (value.length <= 10) return `${m[3]}/${m[2]}/${m[1]}`;
  const d = new Date(value);
  const local = new Date(d.getTime() + 7 * 3600 * 1000); // Asia/Ho_Chi_Minh, no daylight saving
  const p = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${p(local.getUTCDate())}/${p(local.getUTCMonth() + 1)}/${local.getUTCFullYear()} `
    + `${p(local.getUTCHours())}:${p(local.getUTCMinutes())}`;
}

/** @param {string} state */
export function stateLabel(state) { return t(STATES[state] || state); }

export function main() { return /** @type {HTMLElement} */ (document.getElementById('main')); }

/** The screen's content, and the focus on it for screen readers. @param {Html} content */
export function show(content) {
  setHtml(main(), content);
  main().focus({ preventScroll: true });
}

/** The way back to a task from the screens under it (a form, splitting it). @param {number} id */
export function backToTask(id) { return html`<a class="back" href="#/task/${id}">‹ ${t('Quay lại')}</a>`; }

/** @param {string} what */
export function offlineNote(what) {
  return api.online() ? html`` : html`<p class="warning" role="alert" data-offline-note>${t(what)}</p>`;
}

/* Lists show the small thumbnail; a tap opens the display size in the viewer (the original when the server
   has no derivatives yet). */
/** @param {any[] | undefined} attachments */
export function photosHtml(attachments) {
  return (attachments || []).map((a) => {
    const original = `/api/v1/attachments/${a.id}`;
    // The server says thumb_url: null for a file that is not an image (a PDF): a link, not a picture.
    if ('thumb_url' in a && !a.thumb_url) {
      return html`<a class="file" href="${original}" target="_blank" rel="noopener">${a.filename}</a>`;
    }
    return html`<a class="photo" href="${a.display_url || original}" target="_blank" rel="noopener" data-photo="${a.id}">
    <img class="thumb" alt="${a.filename}" loading="lazy" src="${a.thumb_url || original}"></a>`;
  });
}

/** @param {{latitude?: number | null, longitude?: number | null, accuracy_m?: number | null}} report */
export function place(report) {
  if (report.latitude == null) return html``;
  const acc = report.accuracy_m == null ? '' : ` (±${Math.round(report.accuracy_m)} m)`;
  return html`<a class="place" target="_blank" rel="noopener"
    href="https://www.openstreetmap.org/?mlat=${report.latitude}&mlon=${report.longitude}#map=18/${report.latitude}/${report.longitude}">
    ${t('Vị trí')}: ${Number(report.latitude).toFixed(5)}, ${Number(report.longitude).toFixed(5)}${acc}</a>`;
}

/** The task's detail: the phone's copy, read afresh when it is not one of mine and there is a signal.
    @param {number} id */
export async function loadDetail(id) {
  let detail = await db.get('details', id);
  // A task of the unit (not one of mine) is not refreshed with my list: read it afresh when there is a signal.
  const mine = !!(await db.get('tasks', id));
  if ((!detail || !mine) && navigator.onLine) {
    const fresh = await api.task(id);
    if (fresh.ok) detail = fresh.body;
  }
  return detail;
}

export const NOTHING_HERE = 'Chưa có dữ liệu trên máy. Hãy mở ứng dụng khi có mạng.';
