// @ts-check
/* One task (#/task/N): what it asks, who works on it, its parts, reports and history, and what I may do. */
import * as api from '../api.js';
import { patchTask, queue, redraw, render } from '../app.js';
import { canChase, chaseStatus, wireChase } from '../chase.js';
import { html } from '../esc.js';
import { t } from '../i18n.js';
import * as outbox from '../outbox.js';
import { NOTHING_HERE, date, loadDetail, main, photosHtml, place, show, stateLabel } from '../ui.js';
import { outboxLine } from './outbox.js';

const EVENTS = /** @type {Record<string, string>} */ ({
  created: 'Tạo nhiệm vụ', progress: 'Báo cáo tiến độ', comment: 'Ý kiến', assignees: 'Đổi người thực hiện',
  extension_requested: 'Xin gia hạn', extension_approved: 'Duyệt gia hạn', extension_rejected: 'Từ chối gia hạn',
  chase: 'Nhắc việc', revised: 'Đính chính theo văn bản',
});

/* What a part's officer needs from the parent, read-only (the parent itself stays closed to them), and the
   citizen's report the task came from: its place and photos, through URLs that check this task. */
/** @param {any} task */
function contextHtml(task) {
  const pc = task.parent_context;
  const cr = task.citizen_report;
  if (!pc && !cr) return '';
  const photos = cr ? (cr.photos || []).map((/** @type {any} */ p) => ({ ...p, filename: t('Ảnh của người dân') })) : [];
  return html`<section class="context">${pc ? html`<h2>${t('Thuộc nhiệm vụ')}: ${pc.title}</h2>${
    pc.description ? html`<p class="note" style="white-space: pre-line">${pc.description}</p>` : ''}${
    pc.directive ? html`<p class="meta">${t('Văn bản chỉ đạo')}: ${pc.directive.number || ''} ${pc.directive.title || ''}</p>` : ''}`
    : html`<h2>${t('Phản ánh của người dân')}</h2>`}${cr ? html`${
    cr.address ? html`<p>${t('Địa điểm')}: ${cr.address}</p>` : ''}${place(cr)}${
    photos.length ? html`<p class="photo-label">${t('Ảnh của người dân')}</p><div class="photos citizen">${photosHtml(photos)}</div>` : ''}`
    : ''}</section>`;
}

/** The unit head's row of buttons: split, assign, chase. @param {any} task */
function manageHtml(task) {
  const chaseShown = chaseStatus(task.id);
  return html`<div class="actions manage"><a class="button" href="#/task/${task.id}/split">${t('Chia việc')}</a>
    <a class="button" href="#/task/${task.id}/assign">${t('Giao việc')}</a>${canChase(task)
    ? html`<button type="button" class="button${task.urgency === 'overdue' ? ' primary' : ''}" data-chase-task
      ${navigator.onLine ? '' : 'disabled'}>${t('Nhắc việc')}</button>` : ''}${chaseShown
    ? html`<p data-chase-status role="status" class="${chaseShown.className}">${chaseShown.html}</p></div>`
    : html`<p data-chase-status role="status">${navigator.onLine ? '' : t('Cần có mạng để chia việc, giao việc và nhắc việc')}</p></div>`}`;
}

/** @param {number} id */
export async function taskView(id) {
  const task = await loadDetail(id);
  if (!task) { show(html`<p class="empty">${t(NOTHING_HERE)}</p>`); return; }
  const mine = (await outbox.list()).filter((item) => item.task_id === id);
  /** @type {string[]} */
  const actions = task.allowed_actions || [];
  // Why it came back stands first, not at the foot of the history: it is what the officer must act on.
  const returnedBy = task.state === 'returned'
    && (task.history || []).slice().reverse().find((/** @type {any} */ e) => e.to_state === 'returned');
  const open = task.can_report && !['done', 'cancelled'].includes(task.state);
  const reports = (task.progress_reports || []).slice().reverse();
  show(html`<a class="back" href="#/">‹ ${t('Quay lại')}</a>
    <h1>${task.title}</h1>
    ${returnedBy ? html`<p class="returned-banner" role="alert" data-returned><b>${t('Trả lại')}:</b> ${returnedBy.note || ''}
      <span class="meta">${returnedBy.actor || ''} · ${date(returnedBy.received_at)}</span></p>` : ''}
    <p class="state-line"><span class="state badge-${task.state}" data-state="${task.state}">${stateLabel(task.state)}</span>
    · ${t('Hạn xử lý')}: <b>${date(task.deadline)}</b> · ${t('Tiến độ')}: ${task.progress_percent || 0}%</p>
    <dl>
      <dt>${t('Đơn vị chủ trì')}</dt><dd>${task.lead_unit_name}</dd>
      ${task.coordinating_units && task.coordinating_units.length ? html`<dt>${t('Đơn vị phối hợp')}</dt><dd>${task.coordinating_units.map((/** @type {any} */ u) => u.name).join(', ')}</dd>` : ''}
      <dt>${t('Người thực hiện')}</dt><dd>${(task.assignees || []).map((/** @type {any} */ a) => a.full_name).join(', ') || '—'}</dd>
      ${task.directive ? html`<dt>${t('Văn bản chỉ đạo')}</dt><dd>${task.directive.number || ''} ${task.directive.summary || task.directive.title || ''}</dd>` : ''}
    </dl>
    ${task.description ? html`<h2>${t('Mô tả')}</h2><p>${task.description}</p>` : ''}${contextHtml(task)}${
    mine.length ? html`<h2>${t('Đang chờ gửi')}</h2><ul class="outbox">${mine.map(outboxLine)}</ul>` : ''}<div class="actions">${
    open ? html`<a class="button primary" href="#/task/${id}/report">${t('Báo cáo tiến độ')}</a>` : ''}${
    actions.includes('submit') ? html`<button type="button" class="button" data-action="submit">${t('Gửi duyệt')}</button>` : ''}${
    open ? html`<a class="button" href="#/task/${id}/extend">${t('Xin gia hạn')}</a>` : ''}</div>${
    task.can_split ? manageHtml(task) : ''}${
    (task.subtasks || []).length ? html`<h2>${t('Các phần việc')}</h2><ul class="cards">${task.subtasks.map((/** @type {any} */ s) => html`<li><a class="card u-${s.urgency}"
      href="#/task/${s.id}" data-subtask="${s.id}"><span class="title">${s.title}</span>
      <span class="meta">${t('Hạn xử lý')}: ${date(s.deadline)} · ${stateLabel(s.state)} · ${s.progress_percent || 0}%</span>
      ${(s.assignees || []).length ? html`<span class="meta">${t('Người thực hiện')}: ${s.assignees.join(', ')}</span>` : ''}</a></li>`)}</ul>` : ''}<h2>${t('Báo cáo tiến độ')}</h2>${
    reports.length ? html`<ul class="reports">${reports.map((/** @type {any} */ r) => html`<li class="report${r.refused_reason ? ' refused' : ''}">
      <span class="meta">${date(r.captured_at)} · ${r.author}${r.percent != null ? ` · ${r.percent}%` : ''}</span>
      ${r.refused_reason ? html`<span class="refused">${t('Báo cáo bị từ chối')}</span>` : ''}
      <p>${r.note}</p>${place(r)}<div class="photos">${photosHtml(r.attachments)}</div></li>`)}</ul>`
    : html`<p class="empty">${t('Chưa có báo cáo')}</p>`}<h2>${t('Lịch sử')}</h2><ol class="history">${(task.history || []).map((/** @type {any} */ e) => html`<li>
      <span class="meta">${date(e.received_at)} · ${e.actor || ''}</span>
      <span data-event="${e.kind}">${e.to_state ? stateLabel(e.to_state) : t(EVENTS[e.kind] || e.kind)}</span>${e.note ? `: ${e.note}` : ''}</li>`)}</ol>`);
  const chase = /** @type {HTMLButtonElement | null} */ (main().querySelector('[data-chase-task]'));
  if (chase) {
    wireChase(chase, id, async () => {
      // Read the task again for its history (the chase is in it), and show it if this screen is still up:
      // after a navigation the screen on show is newer than this answer and says what is true now.
      await api.task(id);
      await redraw(`#/task/${id}`);
    });
  }
  const submit = main().querySelector('[data-action="submit"]');
  if (submit) {
    submit.addEventListener('click', async () => {
      if (!confirm(t('Gửi kết quả để duyệt?'))) return;
      await queue('transition', id, {
        action: 'submit', note: '', reason: '', captured_at: new Date().toISOString(),
      }, { label: task.title });
      await patchTask(id, { state: 'submitted', allowed_actions: actions.filter((a) => a !== 'submit') });
      render();
    });
  }
}
