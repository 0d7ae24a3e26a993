// @ts-check
/* Duyệt (#/approvals): the approval queue from GET /api/v1/approvals, which carries what a leader judges by
   (the note sent with the result, the latest report with its photos and place, the parent task): one request
   for the screen, and a decision in two taps, held a few seconds for "Hoàn tác" (undo.js). */
import * as api from '../api.js';
import { redraw } from '../app.js';
import { db } from '../db.js';
import { html, replaceHtml } from '../esc.js';
import { t } from '../i18n.js';
import * as outbox from '../outbox.js';
import * as undo from '../undo.js';
import { date, main, photosHtml, place, show, stateLabel } from '../ui.js';

const RETURN_REASONS = ['Thiếu ảnh minh chứng', 'Chưa đạt yêu cầu', 'Cần bổ sung báo cáo'];

/** A part on its parent's approval card: who did it, and their latest report with its photos. @param {any} p */
function partHtml(p) {
  const r = p.latest_report;
  return html`<li class="part" data-part="${p.id}"><b>${p.title}</b>
    <span class="meta">${stateLabel(p.state)} · ${p.state === 'done' ? 100 : (p.progress_percent || 0)}% · ${(p.assignees || []).join(', ')}</span>
    ${r ? html`<span class="meta">${t('Báo cáo mới nhất')}: ${date(r.captured_at)} · ${r.author}</span>
      ${r.note ? html`<p class="note">${r.note}</p>` : ''}<div class="photos after">${photosHtml((r.attachments || []).slice(0, 6))}</div>`
      : html`<p class="empty">${t('Chưa có báo cáo')}</p>`}</li>`;
}

/* "Before" photos: the queue carries them (the first report with photos, when it is not the latest one);
   a queue cached from an older server does not, so fall back to the task's cached detail. */
/** @param {any} task @returns {Promise<any[]>} */
async function beforePhotos(task) {
  if (Array.isArray(task.before_photos)) return task.before_photos;
  const detail = await db.get('details', task.id);
  const latest = task.latest_report && task.latest_report.id;
  const first = ((detail && detail.progress_reports) || [])
    .find((/** @type {any} */ r) => !r.refused_reason && r.id !== latest && (r.attachments || []).length);
  return first ? first.attachments : [];
}

/** @param {any} task @param {any[]} before @param {any} done */
function cardHtml(task, before, done) {
  const report = task.latest_report;
  const after = (report && report.attachments) || [];
  return html`<li class="approval" data-task-id="${task.id}">
    <h2><a href="#/task/${task.id}">${task.title}</a></h2>
    ${task.parent ? html`<p class="meta">${t('Thuộc nhiệm vụ')}: ${task.parent.title}</p>` : ''}
    <p class="meta">${task.lead_unit_name} · ${t('Nộp lúc')}: ${date(task.submitted_at)} · ${t('Hạn xử lý')}: ${date(task.deadline)}</p>
    ${task.submitted_by ? html`<p class="meta">${t('Người gửi')}: ${task.submitted_by}</p>` : ''}
    ${task.submit_note ? html`<p class="note submit-note">${task.submit_note}</p>` : ''}
    ${report ? html`<div class="latest-report"><span class="meta">${t('Báo cáo mới nhất')}: ${date(report.captured_at)} · ${report.author}${report.percent != null ? ` · ${report.percent}%` : ''}</span>
      ${report.note ? html`<p class="note">${report.note}</p>` : ''}${place(report)}</div>`
      : (task.parts || []).length ? '' : html`<p class="empty">${t('Chưa có báo cáo')}</p>`}
    ${(task.parts || []).length ? html`<p class="photo-label">${t('Các phần việc')}</p><ul class="parts" style="list-style: none; padding: 0">${task.parts.map(partHtml)}</ul>` : ''}
    ${(task.public_photo_candidates || []).length && !done ? html`<fieldset class="public-photos"><legend>${t('Ảnh sau công khai cho người dân')}</legend>
      ${task.public_photo_candidates.map((/** @type {any} */ p) => html`<label style="display: inline-flex; flex-direction: column; align-items: center; margin: 4px"><img class="thumb" alt="${p.filename}" loading="lazy" src="${p.thumb_url}">
      <input type="checkbox" data-public-photo="${p.id}"${p.default ? html` checked` : ''}></label>`)}</fieldset>` : ''}
    ${before.length ? html`<p class="photo-label">${t('Ảnh trước')}</p><div class="photos before">${photosHtml(before.slice(0, 4))}</div>`
      : report && !Array.isArray(task.before_photos) ? html`<button type="button" class="link" data-before="${task.id}">${t('Xem ảnh trước')}</button>` : ''}
    ${after.length ? html`<p class="photo-label">${t(before.length ? 'Ảnh sau' : 'Ảnh minh chứng')}</p><div class="photos after">${photosHtml(after.slice(0, 6))}</div>` : ''}
    ${done ? html`<p class="decided">${t(done.body.action === 'approve' ? 'Đã duyệt' : 'Đã trả lại')}</p>` : html`
    <div class="actions two">
      <button type="button" class="button primary" data-approve="${task.id}">${t('Duyệt hoàn thành')}</button>
      <button type="button" class="button" data-return="${task.id}">${t('Trả lại')}</button>
    </div>
    <div class="return-reasons" hidden>
      <p>${t('Lý do trả lại')}</p>
      ${RETURN_REASONS.map((r) => html`<button type="button" class="chip" data-reason="${r}">${t(r)}</button>`)}
      <textarea rows="2" aria-label="${t('Lý do trả lại')}"></textarea>
      <button type="button" class="button" data-send-return="${task.id}">${t('Gửi trả lại')}</button>
    </div>`}
  </li>`;
}

/** @param {any} task @param {string} action @param {string} [reason] */
async function decide(task, action, reason) {
  // The citizen's "after" photos, as ticked on the card (none offered: the server takes the submission's).
  const picks = /** @type {HTMLInputElement[]} */ ([...main().querySelectorAll(`.approval[data-task-id="${task.id}"] [data-public-photo]`)]);
  const chosen = action === 'approve' && picks.length
    ? { public_photo_ids: picks.filter((b) => b.checked).map((b) => Number(b.dataset.publicPhoto)) } : {};
  // Held for a few seconds with "Hoàn tác" at the foot of the screen (undo.js), then sent like any change.
  await undo.hold('transition', task.id, {
    action, note: '', reason: reason || '', expected_version: task.version, captured_at: new Date().toISOString(),
    ...chosen,
  }, { label: task.title }, action === 'approve' ? 'Đã duyệt' : 'Đã trả lại', () => redraw('#/approvals'));
  // Only this card changes: the others keep whatever the leader has opened on them.
  const card = main().querySelector(`.approval[data-task-id="${task.id}"]`);
  if (card) {
    card.querySelectorAll('.actions, .return-reasons, .public-photos').forEach((el) => el.remove());
    const decidedLine = document.createElement('p');
    decidedLine.className = 'decided';
    decidedLine.textContent = t(action === 'approve' ? 'Đã duyệt' : 'Đã trả lại');
    card.append(decidedLine);
  }
}

export async function approvalsView() {
  /** @type {any[]} */
  let queue = await db.meta.get('approvals') || [];
  let stale = true;
  const loaded = await api.get('/api/v1/approvals');
  if (loaded.ok) { queue = loaded.body; stale = false; await db.meta.set('approvals', queue); }
  const decided = new Map((await outbox.list()).filter((i) => i.kind === 'transition'
    && ['approve', 'return'].includes(i.body.action)).map((i) => [i.task_id, i]));
  const cards = [];
  for (const task of queue) cards.push(cardHtml(task, await beforePhotos(task), decided.get(task.id)));
  show(html`<h1>${t('Duyệt hoàn thành')}</h1>${
    stale && !navigator.onLine ? html`<p class="warning">${t('Ngoại tuyến: danh sách lần cập nhật trước')}</p>` : ''}${
    queue.length ? '' : html`<p class="empty">${t('Không có nhiệm vụ chờ duyệt')}</p>`}<ul class="cards approvals">${cards}</ul>`);
  // "Before" photos on demand: one task detail when the leader asks for it, not one per card.
  for (const button of /** @type {NodeListOf<HTMLElement>} */ (main().querySelectorAll('[data-before]'))) {
    button.addEventListener('click', async () => {
      const id = Number(button.dataset.before);
      const answer = await api.get(`/api/v1/tasks/${id}`);
      if (!answer.ok) { button.textContent = api.reason(answer); return; }
      await db.put('details', answer.body);
      const photos = await beforePhotos(queue.find((q) => q.id === id));
      replaceHtml(button, photos.length
        ? html`<p class="photo-label">${t('Ảnh trước')}</p><div class="photos before">${photosHtml(photos.slice(0, 4))}</div>`
        : html`<p class="empty">${t('Không có ảnh trước')}</p>`);
    });
  }
  for (const card of /** @type {NodeListOf<HTMLElement>} */ (main().querySelectorAll('.approval'))) {
    const task = queue.find((q) => q.id === Number(card.dataset.taskId));
    const approve = card.querySelector('[data-approve]');
    if (!approve) continue;
    approve.addEventListener('click', () => decide(task, 'approve'));
    /** @param {string} selector */
    const inCard = (selector) => /** @type {HTMLElement} */ (card.querySelector(selector));
    inCard('[data-return]').addEventListener('click', () => { inCard('.return-reasons').hidden = false; });
    for (const chip of /** @type {NodeListOf<HTMLElement>} */ (card.querySelectorAll('[data-reason]'))) {
      chip.addEventListener('click', () => decide(task, 'return', chip.dataset.reason));
    }
    inCard('[data-send-return]').addEventListener('click', () => {
      const reason = /** @type {HTMLTextAreaElement} */ (inCard('textarea')).value.trim();
      if (reason) decide(task, 'return', reason);
    });
  }
}
