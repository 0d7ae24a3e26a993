// @ts-check
/* The unit head's and leader's screens: the unit's tasks (#/unit), splitting a task into parts for officers
   (#/task/N/split) and choosing its assignees (#/task/N/assign). They need the network: offline they say so. */
import * as api from '../api.js';
import { redraw } from '../app.js';
import { CHASE_STATES, statusLine, wireChase } from '../chase.js';
import { db } from '../db.js';
import { html } from '../esc.js';
import { t } from '../i18n.js';
import * as outbox from '../outbox.js';
import * as sync from '../sync.js';
import { URGENCY_ORDER, backToTask, date, main, offlineNote, show, stateLabel } from '../ui.js';

export async function unitView() {
  /** @type {any[]} */
  let items = (await db.meta.get('unit_tasks')) || [];
  let fresh = false;
  const result = await api.get('/api/v1/tasks?view=scope&limit=200');
  if (result.ok) { items = result.body.items; fresh = true; await db.meta.set('unit_tasks', items); }
  items = items.filter((task) => task.urgency !== 'closed')
    .sort((a, b) => (URGENCY_ORDER[a.urgency] - URGENCY_ORDER[b.urgency]) || String(a.deadline || '9').localeCompare(String(b.deadline || '9')));
  show(html`<h1>${t('Việc của đơn vị')}</h1>${fresh ? '' : offlineNote('Ngoại tuyến: danh sách lần cập nhật trước')}${
    items.length ? '' : html`<p class="empty">${t('Không có nhiệm vụ nào')}</p>`}<ul class="cards">${items.map((task) => html`<li class="card u-${task.urgency}" data-unit-task="${task.id}">
      <a class="title" href="#/task/${task.id}">${task.title}</a>
      <span class="meta">${task.lead_unit_name} · ${t('Hạn xử lý')}: ${date(task.deadline)}
      · ${stateLabel(task.state)}${task.days_overdue ? html` · <b class="late">${t('Quá hạn')} ${task.days_overdue} ${t('ngày')}</b>` : ''}</span>
      ${task.urgency === 'overdue' && CHASE_STATES.includes(task.state) ? html`<div class="row"><button type="button" class="button" data-chase="${task.id}"
        ${api.online() ? '' : 'disabled'}>${t('Nhắc việc')}</button>${statusLine(task.id)}</div>` : ''}
    </li>`)}</ul>`);
  for (const button of /** @type {NodeListOf<HTMLButtonElement>} */ (main().querySelectorAll('[data-chase]'))) {
    wireChase(button, Number(button.dataset.chase));
  }
}

/** People who may work on a task: active, in the lead unit or below (the server checks the same rule).
    @param {any} task @returns {Promise<{people?: any[], error?: string}>} */
async function candidates(task) {
  const [people, units] = await Promise.all([api.get('/api/v1/people'), api.get('/api/v1/units')]);
  if (!people.ok || !units.ok) return { error: api.reason(people.ok ? units : people) };
  const paths = Object.fromEntries(units.body.map((/** @type {any} */ u) => [u.id, u.path]));
  const root = paths[task.lead_unit_id] || '';
  return {
    people: people.body.filter((/** @type {any} */ p) => p.active && (paths[p.unit_id] || '').startsWith(root)
      && ['officer', 'unit_head'].includes(p.role)),
  };
}

/** @param {any[]} people @param {Set<number>} checked */
function peopleChecks(people, checked) {
  return people.map((p) => html`<label class="check"><input type="checkbox" name="person" value="${p.id}"
    ${checked.has(p.id) ? 'checked' : ''}> <span>${p.full_name}${p.title ? html` <small>${p.title}</small>` : ''}</span></label>`);
}

/** #/task/N/split: a part of the task for one or more officers. #/task/N/assign: who works on the task itself.
    @param {number} id @param {string} mode */
export async function splitView(id, mode) {
  // Nothing of the previous screen stays tappable while the people and the task load.
  if (main().dataset.view !== location.hash) show(html`<p class="loading">…</p>`);
  const result = await api.task(id);
  const task = result.ok ? result.body : await db.get('details', id);
  const back = backToTask(id);
  const heading = mode === 'split' ? 'Chia việc' : 'Giao việc';
  if (!task || !result.ok) {
    const note = offlineNote('Cần có mạng để chia việc và giao việc');
    show(html`${back}<h1>${t(heading)}</h1>${note.text ? note : html`<p class="error" role="alert">${api.reason(result)}</p>`}`);
    return;
  }
  const found = await candidates(task);
  if (!found.people) { show(html`${back}<h1>${t(heading)}</h1><p class="error" role="alert">${found.error}</p>`); return; }
  const assigned = new Set((task.assignees || []).map((/** @type {any} */ a) => a.id));
  const parts = (task.subtasks || []).map((/** @type {any} */ s) => html`<li class="card u-${s.urgency}" data-subtask="${s.id}">
    <a class="title" href="#/task/${s.id}">${s.title}</a>
    <span class="meta">${t('Hạn xử lý')}: ${date(s.deadline)} · ${stateLabel(s.state)}</span></li>`);
  const max = task.deadline ? String(task.deadline).slice(0, 10) : '';
  show(html`${back}<h1>${t(heading)}</h1><p class="subtitle">${task.title}</p>
    <form id="people-form" novalidate>
      ${mode === 'split' ? html`<label for="part-title">${t('Tên phần việc')}</label>
        <input id="part-title" name="title" required maxlength="500">
        <label for="part-deadline">${t('Hạn xử lý')}</label>
        <input id="part-deadline" type="date" ${max ? html`max="${max}" value="${max}"` : ''}>` : ''}
      <fieldset><legend>${t('Người thực hiện')}</legend>
        ${found.people.length ? peopleChecks(found.people, mode === 'split' ? new Set() : assigned)
          : html`<p class="empty">${t('Đơn vị chưa có cán bộ')}</p>`}
      </fieldset>
      <p id="form-error" class="error" role="alert"></p>
      <button type="submit" class="button primary wide">${t(mode === 'split' ? 'Giao phần việc' : 'Lưu người thực hiện')}</button>
    </form>
    ${mode === 'split' ? html`<h2>${t('Các phần việc')}</h2>${parts.length ? html`<ul class="cards">${parts}</ul>` : html`<p class="empty">${t('Chưa chia việc')}</p>`}` : ''}`);
  const form = /** @type {HTMLFormElement} */ (main().querySelector('#people-form'));
  /** @param {string} selector */
  const inForm = (selector) => /** @type {HTMLInputElement} */ (form.querySelector(selector));
  let key = outbox.uuid();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = inForm('#form-error');
    const ids = Array.from(/** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll('input[name=person]:checked')), (i) => Number(i.value));
    const button = inForm('button[type=submit]');
    let answer;
    if (mode === 'split') {
      const title = inForm('#part-title').value.trim();
      const deadline = inForm('#part-deadline').value;
      if (!title) { error.textContent = t('Cần nhập tên phần việc'); return; }
      if (!ids.length) { error.textContent = t('Chọn ít nhất một người thực hiện'); return; }
      button.disabled = true;
      answer = await api.post(`/api/v1/tasks/${id}/subtasks`,
        { title, assignee_ids: ids, deadline: deadline || null }, key);
    } else {
      button.disabled = true;
      answer = await api.post(`/api/v1/tasks/${id}/assignees`, { person_ids: ids }, key);
    }
    if (!answer.ok) { error.textContent = api.reason(answer); button.disabled = false; return; }
    key = outbox.uuid();
    await api.task(id);
    sync.refreshTasks();
    if (mode === 'split') await redraw(`#/task/${id}/split`);
    else location.hash = `#/task/${id}`;
  });
}
