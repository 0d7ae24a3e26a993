// @ts-check
/* My tasks (#/): from the phone's copy, most urgent first, with what still waits in the outbox. */
import { db } from '../db.js';
import { html } from '../esc.js';
import { t } from '../i18n.js';
import * as outbox from '../outbox.js';
import { URGENCY, URGENCY_ORDER, date, show, stateLabel, NOTHING_HERE } from '../ui.js';

export async function tasksView() {
  /** @type {any[]} */
  const tasks = await db.all('tasks');
  tasks.sort((a, b) => (URGENCY_ORDER[a.urgency] - URGENCY_ORDER[b.urgency])
    || String(a.deadline || '9999').localeCompare(String(b.deadline || '9999')) || b.id - a.id);
  const waiting = new Set((await outbox.list()).filter(outbox.isWaiting).map((i) => i.task_id));
  const synced = await db.meta.get('tasks_cursor');
  const me = await db.meta.get('me');
  show(html`<h1>${t('Nhiệm vụ của tôi')}</h1>
    ${tasks.length ? '' : html`<p class="empty">${t(synced ? 'Không có nhiệm vụ nào' : NOTHING_HERE)}</p>`}
    ${me && me.role === 'receptionist'
      // The receptionist's work is the desk's triage queue, not tasks: the app points there instead of a dead end.
      ? html`<p data-triage-link><a class="button primary" href="/reports/triage">${t('Mở hàng đợi tiếp nhận phản ánh')}</a></p>` : ''}
    <nav class="counts" aria-label="${t('Nhiệm vụ')}">${URGENCY.filter(([key]) => key !== 'closed').map(([key, label]) => html`<span
      class="count u-${key}" data-urgency="${key}">${t(label)}: <b>${tasks.filter((task) => task.urgency === key).length}</b></span>`)}</nav>
    ${URGENCY.map(([key, label]) => {
      const group = tasks.filter((task) => task.urgency === key);
      if (!group.length) return '';
      return html`<section class="group" data-group="${key}"><h2>${t(label)} (${group.length})</h2><ul class="cards">${group.map((task) => html`<li>
        <a class="card u-${key}" href="#/task/${task.id}" data-task-id="${task.id}">
        <span class="title">${task.title}</span>
        <span class="meta">${t('Hạn xử lý')}: ${date(task.deadline)} · <span class="state">${stateLabel(task.state)}</span>
        · ${t('Tiến độ')}: ${task.progress_percent == null ? 0 : task.progress_percent}%</span>
        ${waiting.has(task.id) ? html`<span class="pending">${t('Đang chờ gửi')}</span>` : ''}</a></li>`)}</ul></section>`;
    })}`);
}
