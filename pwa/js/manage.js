/* The unit head's and leader's screens: the unit's tasks, splitting a task into parts for officers, choosing
   its assignees, and chasing a late officer (Nhắc việc). They need the network: offline they say so. */
'use strict';
(function (g) {
  const DH = (g.DH = g.DH || {});
  const t = (text) => DH.i18n.t(text);
  const esc = (value) => DH.views.esc(value);
  const CHASE_STATES = ['assigned', 'in_progress', 'returned'];
  function main() { return g.document.getElementById('main'); }
  function set(html) {
    main().innerHTML = html;
    main().focus({ preventScroll: true });
  }
  function offlineNote(what) {
    return DH.api.online() ? '' : `<p class="warning" role="alert" data-offline-note>${t(what)}</p>`;
  }

  function canChase(task) {
    return !!task.can_split && CHASE_STATES.includes(task.state) && (task.assignees || []).length > 0;
  }

  function chasedLine(answer) {
    const names = (answer.recipients || []).map((p) => p.full_name).join(', ');
    const at = DH.views.date(answer.chased_at);
    return answer.repeated
      ? `${t('Đã nhắc việc lúc')} ${at} (${esc(answer.chased_by)}); ${t('không gửi thêm')}`
      : `${t('Đã nhắc việc')}: ${esc(names)} · ${at}`;
  }

  /* The chases answered on this page, by task: a screen drawn again (a sync, a language switch) still says
     who was reminded, and its button stays spent, for as long as the server would answer "already chased"
     (30 minutes); after that the button works again. Forgotten when the person signs out. */
  const CHASE_COOLDOWN_MS = 30 * 60 * 1000;
  const chased = new Map();

  function chaseStatus(taskId) {
    const known = chased.get(taskId);
    if (!known) return null;
    if (Date.now() - known.at > CHASE_COOLDOWN_MS) { chased.delete(taskId); return null; }
    return { html: chasedLine(known.answer), className: 'decided', spent: true };
  }

  function forgetChases() { chased.clear(); }

  /* One press, one reminder: the button is disabled at once, and its key is made once per screen. */
  function wireChase(button, taskId, onDone) {
    const key = DH.outbox.uuid();
    if (chaseStatus(taskId)) { button.disabled = true; button.dataset.chased = 'yes'; }
    button.addEventListener('click', async () => {
      const status = button.parentElement.querySelector('[data-chase-status]') || button.nextElementSibling;
      if (!DH.api.online()) { status.textContent = t('Cần có mạng để nhắc việc'); status.className = 'error'; return; }
      button.disabled = true;
      const result = await DH.api.post(`/api/v1/tasks/${taskId}/chase`, {}, key);
      if (result.ok) {
        chased.set(taskId, { answer: result.body, at: Date.now() });
        status.innerHTML = chasedLine(result.body);
        status.className = 'decided';
        button.dataset.chased = 'yes';
        // The screen was drawn again while the answer travelled: draw it once more so it shows the answer.
        const hash = g.location.hash || '#/';
        if (!status.isConnected && (hash === '#/unit' || hash === `#/task/${taskId}`)) await DH.app.redraw(hash);
        if (onDone) await onDone(result.body);
      } else {
        status.textContent = DH.api.reason(result);
        status.className = 'error';
        button.disabled = false;
      }
    });
  }

  function statusLine(taskId, fallback) {
    const known = chaseStatus(taskId);
    return known ? `<span data-chase-status class="${known.className}">${known.html}</span>`
      : `<span data-chase-status>${fallback || ''}</span>`;
  }

  async function unitView() {
    let items = (await DH.db.meta.get('unit_tasks')) || [];
    let fresh = false;
    const result = await DH.api.get('/api/v1/tasks?view=scope&limit=200');
    if (result.ok) { items = result.body.items; fresh = true; await DH.db.meta.set('unit_tasks', items); }
    const order = { overdue: 0, due_today: 1, due_soon: 2, later: 3, closed: 4 };
    items = items.filter((task) => task.urgency !== 'closed')
      .sort((a, b) => (order[a.urgency] - order[b.urgency]) || String(a.deadline || '9').localeCompare(String(b.deadline || '9')));
    let html = `<h1>${t('Việc của đơn vị')}</h1>`;
    if (!fresh) html += offlineNote('Ngoại tuyến: danh sách lần cập nhật trước');
    if (!items.length) html += `<p class="empty">${t('Không có nhiệm vụ nào')}</p>`;
    html += '<ul class="cards">';
    for (const task of items) {
      html += `<li class="card u-${esc(task.urgency)}" data-unit-task="${task.id}">
        <a class="title" href="#/task/${task.id}">${esc(task.title)}</a>
        <span class="meta">${esc(task.lead_unit_name)} · ${t('Hạn xử lý')}: ${DH.views.date(task.deadline)}
        · ${DH.views.stateLabel(task.state)}${task.days_overdue ? ` · <b class="late">${t('Quá hạn')} ${task.days_overdue} ${t('ngày')}</b>` : ''}</span>
        ${task.urgency === 'overdue' && CHASE_STATES.includes(task.state) ? `<div class="row"><button type="button" class="button" data-chase="${task.id}"
          ${DH.api.online() ? '' : 'disabled'}>${t('Nhắc việc')}</button>${statusLine(task.id)}</div>` : ''}
      </li>`;
    }
    set(html + '</ul>');
    for (const button of main().querySelectorAll('[data-chase]')) wireChase(button, Number(button.dataset.chase));
  }

  /* People who may work on a task: active, in the lead unit or below (the server checks the same rule). */
  async function candidates(task) {
    const [people, units] = await Promise.all([DH.api.get('/api/v1/people'), DH.api.get('/api/v1/units')]);
    if (!people.ok || !units.ok) return { error: DH.api.reason(people.ok ? units : people) };
    const paths = Object.fromEntries(units.body.map((u) => [u.id, u.path]));
    const root = paths[task.lead_unit_id] || '';
    return {
      people: people.body.filter((p) => p.active && (paths[p.unit_id] || '').startsWith(root)
        && ['officer', 'unit_head'].includes(p.role)),
    };
  }

  function peopleChecks(people, checked) {
    return people.map((p) => `<label class="check"><input type="checkbox" name="person" value="${p.id}"
      ${checked.has(p.id) ? 'checked' : ''}> <span>${esc(p.full_name)}${p.title ? ` <small>${esc(p.title)}</small>` : ''}</span></label>`).join('');
  }

  /* #/task/N/split: a part of the task for one or more officers. #/task/N/assign: who works on the task itself. */
  async function splitView(id, mode) {
    // Nothing of the previous screen stays tappable while the people and the task load.
    if (main().dataset.view !== g.location.hash) set('<p class="loading">…</p>');
    const result = await DH.api.task(id);
    const task = result.ok ? result.body : await DH.db.get('details', id);
    const back = `<a class="back" href="#/task/${id}">‹ ${t('Quay lại')}</a>`;
    const heading = mode === 'split' ? 'Chia việc' : 'Giao việc';
    if (!task || !result.ok) {
      set(`${back}<h1>${t(heading)}</h1>${offlineNote('Cần có mạng để chia việc và giao việc')
        || `<p class="error" role="alert">${esc(DH.api.reason(result))}</p>`}`);
      return;
    }
    const found = await candidates(task);
    if (found.error) { set(`${back}<h1>${t(heading)}</h1><p class="error" role="alert">${esc(found.error)}</p>`); return; }
    const assigned = new Set((task.assignees || []).map((a) => a.id));
    const parts = (task.subtasks || []).map((s) => `<li class="card u-${esc(s.urgency)}" data-subtask="${s.id}">
      <a class="title" href="#/task/${s.id}">${esc(s.title)}</a>
      <span class="meta">${t('Hạn xử lý')}: ${DH.views.date(s.deadline)} · ${DH.views.stateLabel(s.state)}</span></li>`).join('');
    const max = task.deadline ? String(task.deadline).slice(0, 10) : '';
    set(`${back}<h1>${t(heading)}</h1><p class="subtitle">${esc(task.title)}</p>
      <form id="people-form" novalidate>
        ${mode === 'split' ? `<label for="part-title">${t('Tên phần việc')}</label>
          <input id="part-title" name="title" required maxlength="500">
          <label for="part-deadline">${t('Hạn xử lý')}</label>
          <input id="part-deadline" type="date" ${max ? `max="${max}" value="${max}"` : ''}>` : ''}
        <fieldset><legend>${t('Người thực hiện')}</legend>
          ${found.people.length ? peopleChecks(found.people, mode === 'split' ? new Set() : assigned)
            : `<p class="empty">${t('Đơn vị chưa có cán bộ')}</p>`}
        </fieldset>
        <p id="form-error" class="error" role="alert"></p>
        <button type="submit" class="button primary wide">${t(mode === 'split' ? 'Giao phần việc' : 'Lưu người thực hiện')}</button>
      </form>
      ${mode === 'split' ? `<h2>${t('Các phần việc')}</h2>${parts ? `<ul class="cards">${parts}</ul>` : `<p class="empty">${t('Chưa chia việc')}</p>`}` : ''}`);
    const form = main().querySelector('#people-form');
    let key = DH.outbox.uuid();
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const error = form.querySelector('#form-error');
      const ids = Array.from(form.querySelectorAll('input[name=person]:checked'), (i) => Number(i.value));
      const button = form.querySelector('button[type=submit]');
      let answer;
      if (mode === 'split') {
        const title = form.querySelector('#part-title').value.trim();
        const deadline = form.querySelector('#part-deadline').value;
        if (!title) { error.textContent = t('Cần nhập tên phần việc'); return; }
        if (!ids.length) { error.textContent = t('Chọn ít nhất một người thực hiện'); return; }
        button.disabled = true;
        answer = await DH.api.post(`/api/v1/tasks/${id}/subtasks`,
          { title, assignee_ids: ids, deadline: deadline || null }, key);
      } else {
        button.disabled = true;
        answer = await DH.api.post(`/api/v1/tasks/${id}/assignees`, { person_ids: ids }, key);
      }
      if (!answer.ok) { error.textContent = DH.api.reason(answer); button.disabled = false; return; }
      key = DH.outbox.uuid();
      await DH.api.task(id);
      DH.sync.refreshTasks();
      if (mode === 'split') await DH.app.redraw(`#/task/${id}/split`);
      else g.location.hash = `#/task/${id}`;
    });
  }

  DH.manage = { unitView, splitView, canChase, wireChase, chaseStatus, forgetChases, CHASE_STATES };
})(self);
