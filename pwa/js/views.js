/* The screens, rendered from IndexedDB first (so they work offline), refreshed from the network. */
'use strict';
(function (g) {
  const DH = (g.DH = g.DH || {});
  const t = (text) => DH.i18n.t(text);
  const STATES = {
    draft: 'Nháp', assigned: 'Mới giao', in_progress: 'Đang thực hiện', submitted: 'Chờ duyệt',
    returned: 'Trả lại', done: 'Hoàn thành', cancelled: 'Đã hủy',
  };
  const URGENCY = [
    ['overdue', 'Quá hạn'], ['due_today', 'Đến hạn hôm nay'], ['due_soon', 'Sắp đến hạn'],
    ['later', 'Trong hạn'], ['closed', 'Đã kết thúc'],
  ];
  const RETURN_REASONS = ['Thiếu ảnh minh chứng', 'Chưa đạt yêu cầu', 'Cần bổ sung báo cáo'];
  const EVENTS = {
    created: 'Tạo nhiệm vụ', progress: 'Báo cáo tiến độ', comment: 'Ý kiến', assignees: 'Đổi người thực hiện',
    extension_requested: 'Xin gia hạn', extension_approved: 'Duyệt gia hạn', extension_rejected: 'Từ chối gia hạn',
    chase: 'Nhắc việc',
  };

  function esc(value) {
    return String(value == null ? '' : value).replace(/[&<>"']/g, (c) => (
      { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }
  function date(value) {
    if (!value) return '—';
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
    if (!m) return esc(value);
    if (value.length <= 10) return `${m[3]}/${m[2]}/${m[1]}`;
    const d = new Date(value);
    const local = new Date(d.getTime() + 7 * 3600 * 1000); // Asia/Ho_Chi_Minh, no daylight saving
    const p = (n) => String(n).padStart(2, '0');
    return `${p(local.getUTCDate())}/${p(local.getUTCMonth() + 1)}/${local.getUTCFullYear()} `
      + `${p(local.getUTCHours())}:${p(local.getUTCMinutes())}`;
  }
  function stateLabel(state) { return t(STATES[state] || state); }
  function main() { return g.document.getElementById('main'); }
  function set(html) {
    main().innerHTML = html;
    main().focus({ preventScroll: true });
  }

  async function tasksView() {
    const tasks = await DH.db.all('tasks');
    const order = Object.fromEntries(URGENCY.map(([key], i) => [key, i]));
    tasks.sort((a, b) => (order[a.urgency] - order[b.urgency])
      || String(a.deadline || '9999').localeCompare(String(b.deadline || '9999')) || b.id - a.id);
    const waiting = new Set((await DH.outbox.list()).filter(DH.outbox.isWaiting).map((i) => i.task_id));
    const synced = await DH.db.meta.get('tasks_cursor');
    let html = `<h1>${t('Nhiệm vụ của tôi')}</h1>`;
    if (!tasks.length) {
      html += `<p class="empty">${t(synced ? 'Không có nhiệm vụ nào' : 'Chưa có dữ liệu trên máy. Hãy mở ứng dụng khi có mạng.')}</p>`;
    }
    // The receptionist's work is the desk's triage queue, not tasks: the app points there instead of a dead end.
    const me = await DH.db.meta.get('me');
    if (me && me.role === 'receptionist') {
      html += `<p data-triage-link><a class="button primary" href="/reports/triage">${t('Mở hàng đợi tiếp nhận phản ánh')}</a></p>`;
    }
    html += '<nav class="counts" aria-label="' + esc(t('Nhiệm vụ')) + '">';
    for (const [key, label] of URGENCY) {
      const n = tasks.filter((task) => task.urgency === key).length;
      if (key !== 'closed') html += `<span class="count u-${key}" data-urgency="${key}">${t(label)}: <b>${n}</b></span>`;
    }
    html += '</nav>';
    for (const [key, label] of URGENCY) {
      const group = tasks.filter((task) => task.urgency === key);
      if (!group.length) continue;
      html += `<section class="group" data-group="${key}"><h2>${t(label)} (${group.length})</h2><ul class="cards">`;
      for (const task of group) {
        html += `<li><a class="card u-${key}" href="#/task/${task.id}" data-task-id="${task.id}">
          <span class="title">${esc(task.title)}</span>
          <span class="meta">${t('Hạn xử lý')}: ${date(task.deadline)} · <span class="state">${stateLabel(task.state)}</span>
          · ${t('Tiến độ')}: ${task.progress_percent == null ? 0 : task.progress_percent}%</span>
          ${waiting.has(task.id) ? `<span class="pending">${t('Đang chờ gửi')}</span>` : ''}</a></li>`;
      }
      html += '</ul></section>';
    }
    set(html);
  }

  /* Lists show the small thumbnail; a tap opens the display size in the viewer (the original when the server
     has no derivatives yet). */
  function photosHtml(attachments) {
    return (attachments || []).map((a) => {
      const original = `/api/v1/attachments/${a.id}`;
      // The server says thumb_url: null for a file that is not an image (a PDF): a link, not a picture.
      if ('thumb_url' in a && !a.thumb_url) {
        return `<a class="file" href="${original}" target="_blank" rel="noopener">${esc(a.filename)}</a>`;
      }
      return `<a class="photo" href="${esc(a.display_url || original)}" target="_blank" rel="noopener" data-photo="${a.id}">
      <img class="thumb" alt="${esc(a.filename)}" loading="lazy" src="${esc(a.thumb_url || original)}"></a>`;
    }).join('');
  }
  function place(report) {
    if (report.latitude == null) return '';
    const acc = report.accuracy_m == null ? '' : ` (±${Math.round(report.accuracy_m)} m)`;
    return `<a class="place" target="_blank" rel="noopener"
      href="https://www.openstreetmap.org/?mlat=${report.latitude}&mlon=${report.longitude}#map=18/${report.latitude}/${report.longitude}">
      ${t('Vị trí')}: ${Number(report.latitude).toFixed(5)}, ${Number(report.longitude).toFixed(5)}${acc}</a>`;
  }
  /* What a part's officer needs from the parent, read-only (the parent itself stays closed to them), and the
     citizen's report the task came from: its place and photos, through URLs that check this task. */
  function contextHtml(task) {
    const pc = task.parent_context;
    const cr = task.citizen_report;
    if (!pc && !cr) return '';
    let html = '<section class="context">';
    if (pc) {
      html += `<h2>${t('Thuộc nhiệm vụ')}: ${esc(pc.title)}</h2>`;
      if (pc.description) html += `<p class="note" style="white-space: pre-line">${esc(pc.description)}</p>`;
      if (pc.directive) html += `<p class="meta">${t('Văn bản chỉ đạo')}: ${esc(pc.directive.number || '')} ${esc(pc.directive.title || '')}</p>`;
    } else {
      html += `<h2>${t('Phản ánh của người dân')}</h2>`;
    }
    if (cr) {
      if (cr.address) html += `<p>${t('Địa điểm')}: ${esc(cr.address)}</p>`;
      html += place(cr);
      const photos = (cr.photos || []).map((p) => ({ ...p, filename: t('Ảnh của người dân') }));
      if (photos.length) html += `<p class="photo-label">${t('Ảnh của người dân')}</p><div class="photos citizen">${photosHtml(photos)}</div>`;
    }
    return html + '</section>';
  }
  /* A part on its parent's approval card: who did it, and their latest report with its photos. */
  function partHtml(p) {
    const r = p.latest_report;
    return `<li class="part" data-part="${p.id}"><b>${esc(p.title)}</b>
      <span class="meta">${stateLabel(p.state)} · ${p.state === 'done' ? 100 : (p.progress_percent || 0)}% · ${esc((p.assignees || []).join(', '))}</span>
      ${r ? `<span class="meta">${t('Báo cáo mới nhất')}: ${date(r.captured_at)} · ${esc(r.author)}</span>
        ${r.note ? `<p class="note">${esc(r.note)}</p>` : ''}<div class="photos after">${photosHtml((r.attachments || []).slice(0, 6))}</div>`
        : `<p class="empty">${t('Chưa có báo cáo')}</p>`}</li>`;
  }
  function outboxLine(item) {
    const state = !DH.outbox.isWaiting(item) && item.outcome
      ? `<span class="refused">${t(item.outcome === 'refused' ? 'Bị từ chối' : 'Lỗi')}: ${esc(errorMessage(item))}</span>`
      : `<span class="pending">${t('Đang chờ gửi')}</span>`;
    const what = item.kind === 'progress' ? t('Báo cáo tiến độ')
      : item.kind === 'extension' ? t('Xin gia hạn') : actionLabel(item.body.action);
    const note = item.body.note || item.body.reason || '';
    const photos = (item.photos || []).length;
    return `<li class="outbox-item" data-outbox-id="${esc(item.id)}" data-outcome="${esc(item.outcome || 'waiting')}">
      <b>${esc(what)}</b> — ${esc(item.label)}${note ? `<br><q>${esc(note)}</q>` : ''}
      ${item.body.percent != null ? ` · ${item.body.percent}%` : ''}${photos ? ` · ${photos} ${t('ảnh')}` : ''}
      <br>${state}
      ${!DH.outbox.isWaiting(item) && item.outcome ? `<button type="button" class="link" data-dismiss="${esc(item.id)}">${t('Bỏ qua')}</button>` : ''}
    </li>`;
  }
  function errorMessage(item) {
    const body = item.answer && item.answer.body;
    const failed = (item.photos || []).find((p) => p.error);
    return (body && body.error && body.error.message) || (failed && failed.error) || '';
  }
  function actionLabel(action) {
    return t({ submit: 'Gửi duyệt', approve: 'Duyệt hoàn thành', return: 'Trả lại', cancel: 'Đã hủy' }[action] || action);
  }

  async function loadDetail(id) {
    let detail = await DH.db.get('details', id);
    // A task of the unit (not one of mine) is not refreshed with my list: read it afresh when there is a signal.
    const mine = !!(await DH.db.get('tasks', id));
    if ((!detail || !mine) && g.navigator.onLine) {
      const fresh = await DH.api.task(id);
      if (fresh.ok) detail = fresh.body;
    }
    return detail;
  }

  async function taskView(id) {
    const task = await loadDetail(id);
    if (!task) { set(`<p class="empty">${t('Chưa có dữ liệu trên máy. Hãy mở ứng dụng khi có mạng.')}</p>`); return; }
    const mine = (await DH.outbox.list()).filter((item) => item.task_id === id);
    const actions = task.allowed_actions || [];
    // Why it came back stands first, not at the foot of the history: it is what the officer must act on.
    const returnedBy = task.state === 'returned'
      && (task.history || []).slice().reverse().find((e) => e.to_state === 'returned');
    let html = `<a class="back" href="#/">‹ ${t('Quay lại')}</a>
      <h1>${esc(task.title)}</h1>
      ${returnedBy ? `<p class="returned-banner" role="alert" data-returned><b>${t('Trả lại')}:</b> ${esc(returnedBy.note || '')}
        <span class="meta">${esc(returnedBy.actor || '')} · ${date(returnedBy.received_at)}</span></p>` : ''}
      <p class="state-line"><span class="state badge-${esc(task.state)}" data-state="${esc(task.state)}">${stateLabel(task.state)}</span>
      · ${t('Hạn xử lý')}: <b>${date(task.deadline)}</b> · ${t('Tiến độ')}: ${task.progress_percent || 0}%</p>
      <dl>
        <dt>${t('Đơn vị chủ trì')}</dt><dd>${esc(task.lead_unit_name)}</dd>
        ${task.coordinating_units && task.coordinating_units.length ? `<dt>${t('Đơn vị phối hợp')}</dt><dd>${task.coordinating_units.map((u) => esc(u.name)).join(', ')}</dd>` : ''}
        <dt>${t('Người thực hiện')}</dt><dd>${(task.assignees || []).map((a) => esc(a.full_name)).join(', ') || '—'}</dd>
        ${task.directive ? `<dt>${t('Văn bản chỉ đạo')}</dt><dd>${esc(task.directive.number || '')} ${esc(task.directive.summary || task.directive.title || '')}</dd>` : ''}
      </dl>
      ${task.description ? `<h2>${t('Mô tả')}</h2><p>${esc(task.description)}</p>` : ''}${contextHtml(task)}`;
    if (mine.length) html += `<h2>${t('Đang chờ gửi')}</h2><ul class="outbox">${mine.map(outboxLine).join('')}</ul>`;
    html += '<div class="actions">';
    if (task.can_report && !['done', 'cancelled'].includes(task.state)) {
      html += `<a class="button primary" href="#/task/${id}/report">${t('Báo cáo tiến độ')}</a>`;
    }
    if (actions.includes('submit')) html += `<button type="button" class="button" data-action="submit">${t('Gửi duyệt')}</button>`;
    if (task.can_report && !['done', 'cancelled'].includes(task.state)) {
      html += `<a class="button" href="#/task/${id}/extend">${t('Xin gia hạn')}</a>`;
    }
    html += '</div>';
    if (task.can_split) {
      html += `<div class="actions manage"><a class="button" href="#/task/${id}/split">${t('Chia việc')}</a>
        <a class="button" href="#/task/${id}/assign">${t('Giao việc')}</a>`;
      if (DH.manage.canChase(task)) {
        html += `<button type="button" class="button${task.urgency === 'overdue' ? ' primary' : ''}" data-chase-task
          ${g.navigator.onLine ? '' : 'disabled'}>${t('Nhắc việc')}</button>`;
      }
      const chaseShown = DH.manage.chaseStatus(id);
      html += chaseShown ? `<p data-chase-status role="status" class="${chaseShown.className}">${chaseShown.html}</p></div>`
        : `<p data-chase-status role="status">${g.navigator.onLine ? '' : t('Cần có mạng để chia việc, giao việc và nhắc việc')}</p></div>`;
    }
    if ((task.subtasks || []).length) {
      html += `<h2>${t('Các phần việc')}</h2><ul class="cards">` + task.subtasks.map((s) => `<li><a class="card u-${esc(s.urgency)}"
        href="#/task/${s.id}" data-subtask="${s.id}"><span class="title">${esc(s.title)}</span>
        <span class="meta">${t('Hạn xử lý')}: ${date(s.deadline)} · ${stateLabel(s.state)} · ${s.progress_percent || 0}%</span>
        ${(s.assignees || []).length ? `<span class="meta">${t('Người thực hiện')}: ${esc(s.assignees.join(', '))}</span>` : ''}</a></li>`).join('') + '</ul>';
    }
    const reports = task.progress_reports || [];
    html += `<h2>${t('Báo cáo tiến độ')}</h2>`;
    html += reports.length ? '<ul class="reports">' + reports.slice().reverse().map((r) => `<li class="report${r.refused_reason ? ' refused' : ''}">
      <span class="meta">${date(r.captured_at)} · ${esc(r.author)}${r.percent != null ? ` · ${r.percent}%` : ''}</span>
      ${r.refused_reason ? `<span class="refused">${t('Báo cáo bị từ chối')}</span>` : ''}
      <p>${esc(r.note)}</p>${place(r)}<div class="photos">${photosHtml(r.attachments)}</div></li>`).join('') + '</ul>'
      : `<p class="empty">${t('Chưa có báo cáo')}</p>`;
    html += `<h2>${t('Lịch sử')}</h2><ol class="history">` + (task.history || []).map((e) => `<li>
      <span class="meta">${date(e.received_at)} · ${esc(e.actor || '')}</span>
      <span data-event="${esc(e.kind)}">${e.to_state ? stateLabel(e.to_state) : esc(t(EVENTS[e.kind] || e.kind))}</span>${e.note ? `: ${esc(e.note)}` : ''}</li>`).join('') + '</ol>';
    set(html);
    const chase = main().querySelector('[data-chase-task]');
    if (chase) {
      DH.manage.wireChase(chase, id, async () => {
        // Read the task again for its history (the chase is in it), and show it if this screen is still up:
        // after a navigation the screen on show is newer than this answer and says what is true now.
        await DH.api.task(id);
        await DH.app.redraw(`#/task/${id}`);
      });
    }
    const submit = main().querySelector('[data-action="submit"]');
    if (submit) {
      submit.addEventListener('click', async () => {
        if (!g.confirm(t('Gửi kết quả để duyệt?'))) return;
        await DH.app.queue('transition', id, {
          action: 'submit', note: '', reason: '', captured_at: new Date().toISOString(),
        }, { label: task.title });
        await DH.app.patchTask(id, { state: 'submitted', allowed_actions: actions.filter((a) => a !== 'submit') });
        DH.app.render();
      });
    }
  }

  async function reportView(id) {
    const task = await loadDetail(id) || await DH.db.get('tasks', id);
    if (!task) { set(`<p class="empty">${t('Chưa có dữ liệu trên máy. Hãy mở ứng dụng khi có mạng.')}</p>`); return; }
    set(`<a class="back" href="#/task/${id}">‹ ${t('Quay lại')}</a>
      <h1>${t('Báo cáo tiến độ')}</h1><p class="subtitle">${esc(task.title)}</p>
      <form id="report-form" novalidate>
        <label for="note">${t('Nội dung')}</label>
        <textarea id="note" name="note" rows="4"></textarea>
        <label for="percent">${t('Tiến độ')} (%)</label>
        <div class="percent"><input id="percent" name="percent" type="range" min="0" max="100" step="5"
          value="${task.progress_percent || 0}"><output id="percent-out">${task.progress_percent || 0}%</output></div>
        <fieldset><legend>${t('Ảnh minh chứng')}</legend>
          <label class="button" for="camera">${t('Chụp ảnh')}</label>
          <input id="camera" class="visually-hidden" type="file" accept="image/*" capture="environment" multiple>
          <label class="button" for="gallery">${t('Chọn từ thư viện')}</label>
          <input id="gallery" class="visually-hidden" type="file" accept="image/*" multiple>
          <div id="previews" class="photos"></div>
        </fieldset>
        <p id="gps" class="gps">${t('Đang lấy vị trí…')}</p>
        <button type="button" class="link" id="relocate">${t('Lấy lại vị trí')}</button>
        <p id="form-error" class="error" role="alert"></p>
        <button type="submit" class="button primary wide">${t('Gửi báo cáo')}</button>
      </form>`);
    const form = main().querySelector('#report-form');
    const photos = [];
    const shrinking = [];
    let position = null;
    const percent = form.querySelector('#percent');
    let touched = false;
    percent.addEventListener('input', () => { touched = true; form.querySelector('#percent-out').textContent = `${percent.value}%`; });
    async function locate() {
      const gps = form.querySelector('#gps');
      gps.textContent = t('Đang lấy vị trí…');
      position = await DH.camera.locate();
      gps.textContent = position
        ? `${t('Vị trí')}: ${position.latitude.toFixed(5)}, ${position.longitude.toFixed(5)} (±${position.accuracy_m} m)`
        : t('Không lấy được vị trí');
      gps.dataset.ready = position ? 'yes' : 'no';
    }
    locate();
    form.querySelector('#relocate').addEventListener('click', locate);
    for (const input of form.querySelectorAll('input[type=file]')) {
      input.addEventListener('change', () => {
        for (const file of input.files) {
          const job = DH.camera.shrink(file).then((photo) => {
            photos.push(photo);
            const img = g.document.createElement('img');
            img.className = 'thumb';
            img.alt = photo.name;
            img.src = URL.createObjectURL(photo.blob);
            form.querySelector('#previews').append(img);
          });
          shrinking.push(job);
        }
        input.value = '';
      });
    }
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      await Promise.all(shrinking);
      const note = form.querySelector('#note').value.trim();
      if (!note && !touched) { form.querySelector('#form-error').textContent = t('Cần nhập nội dung hoặc tiến độ'); return; }
      const body = {
        note, percent: Number(percent.value), latitude: null, longitude: null, accuracy_m: null,
        captured_at: new Date().toISOString(),
      };
      if (position) Object.assign(body, position);
      await DH.app.queue('progress', id, body, { label: task.title, photos });
      await DH.app.patchTask(id, { progress_percent: body.percent });
      g.location.hash = `#/task/${id}`;
    });
  }

  async function extendView(id) {
    const task = await loadDetail(id) || await DH.db.get('tasks', id);
    if (!task) { set(`<p class="empty">${t('Chưa có dữ liệu trên máy. Hãy mở ứng dụng khi có mạng.')}</p>`); return; }
    set(`<a class="back" href="#/task/${id}">‹ ${t('Quay lại')}</a>
      <h1>${t('Xin gia hạn')}</h1><p class="subtitle">${esc(task.title)} · ${t('Hạn xử lý')}: ${date(task.deadline)}</p>
      <form id="extend-form">
        <label for="deadline">${t('Hạn mới')}</label><input id="deadline" type="date" required>
        <label for="reason">${t('Lý do')}</label><textarea id="reason" rows="3" required></textarea>
        <button class="button primary wide" type="submit">${t('Gửi đề nghị')}</button>
      </form>`);
    main().querySelector('#extend-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const deadline = main().querySelector('#deadline').value;
      const reason = main().querySelector('#reason').value.trim();
      if (!deadline || !reason) return;
      await DH.app.queue('extension', id, { requested_deadline: deadline, reason }, { label: task.title });
      g.location.hash = `#/task/${id}`;
    });
  }

  /* "Before" photos: the queue carries them (the first report with photos, when it is not the latest one);
     a queue cached from an older server does not, so fall back to the task's cached detail. */
  async function beforePhotos(task) {
    if (Array.isArray(task.before_photos)) return task.before_photos;
    const detail = await DH.db.get('details', task.id);
    const latest = task.latest_report && task.latest_report.id;
    const first = ((detail && detail.progress_reports) || [])
      .find((r) => !r.refused_reason && r.id !== latest && (r.attachments || []).length);
    return first ? first.attachments : [];
  }

  /* The approval queue from GET /api/v1/approvals, which carries what a leader judges by (the note sent with
     the result, the latest report with its photos and place, the parent task): one request for the screen. */
  async function approvalsView() {
    let queue = await DH.db.meta.get('approvals') || [];
    let stale = true;
    const loaded = await DH.api.get('/api/v1/approvals');
    if (loaded.ok) { queue = loaded.body; stale = false; await DH.db.meta.set('approvals', queue); }
    const decided = new Map((await DH.outbox.list()).filter((i) => i.kind === 'transition'
      && ['approve', 'return'].includes(i.body.action)).map((i) => [i.task_id, i]));
    let html = `<h1>${t('Duyệt hoàn thành')}</h1>`;
    if (stale && !g.navigator.onLine) html += `<p class="warning">${t('Ngoại tuyến: danh sách lần cập nhật trước')}</p>`;
    if (!queue.length) html += `<p class="empty">${t('Không có nhiệm vụ chờ duyệt')}</p>`;
    html += '<ul class="cards approvals">';
    for (const task of queue) {
      const report = task.latest_report;
      const after = (report && report.attachments) || [];
      const before = await beforePhotos(task);
      const done = decided.get(task.id);
      html += `<li class="approval" data-task-id="${task.id}">
        <h2><a href="#/task/${task.id}">${esc(task.title)}</a></h2>
        ${task.parent ? `<p class="meta">${t('Thuộc nhiệm vụ')}: ${esc(task.parent.title)}</p>` : ''}
        <p class="meta">${esc(task.lead_unit_name)} · ${t('Nộp lúc')}: ${date(task.submitted_at)} · ${t('Hạn xử lý')}: ${date(task.deadline)}</p>
        ${task.submitted_by ? `<p class="meta">${t('Người gửi')}: ${esc(task.submitted_by)}</p>` : ''}
        ${task.submit_note ? `<p class="note submit-note">${esc(task.submit_note)}</p>` : ''}
        ${report ? `<div class="latest-report"><span class="meta">${t('Báo cáo mới nhất')}: ${date(report.captured_at)} · ${esc(report.author)}${report.percent != null ? ` · ${report.percent}%` : ''}</span>
          ${report.note ? `<p class="note">${esc(report.note)}</p>` : ''}${place(report)}</div>`
          : (task.parts || []).length ? '' : `<p class="empty">${t('Chưa có báo cáo')}</p>`}
        ${(task.parts || []).length ? `<p class="photo-label">${t('Các phần việc')}</p><ul class="parts" style="list-style: none; padding: 0">${task.parts.map(partHtml).join('')}</ul>` : ''}
        ${(task.public_photo_candidates || []).length && !done ? `<fieldset class="public-photos"><legend>${t('Ảnh sau công khai cho người dân')}</legend>
          ${task.public_photo_candidates.map((p) => `<label style="display: inline-flex; flex-direction: column; align-items: center; margin: 4px"><img class="thumb" alt="${esc(p.filename)}" loading="lazy" src="${esc(p.thumb_url)}">
          <input type="checkbox" data-public-photo="${p.id}"${p.default ? ' checked' : ''}></label>`).join('')}</fieldset>` : ''}
        ${before.length ? `<p class="photo-label">${t('Ảnh trước')}</p><div class="photos before">${photosHtml(before.slice(0, 4))}</div>`
          : report && !Array.isArray(task.before_photos) ? `<button type="button" class="link" data-before="${task.id}">${t('Xem ảnh trước')}</button>` : ''}
        ${after.length ? `<p class="photo-label">${t(before.length ? 'Ảnh sau' : 'Ảnh minh chứng')}</p><div class="photos after">${photosHtml(after.slice(0, 6))}</div>` : ''}
        ${done ? `<p class="decided">${t(done.body.action === 'approve' ? 'Đã duyệt' : 'Đã trả lại')}</p>` : `
        <div class="actions two">
          <button type="button" class="button primary" data-approve="${task.id}">${t('Duyệt hoàn thành')}</button>
          <button type="button" class="button" data-return="${task.id}">${t('Trả lại')}</button>
        </div>
        <div class="return-reasons" hidden>
          <p>${t('Lý do trả lại')}</p>
          ${RETURN_REASONS.map((r) => `<button type="button" class="chip" data-reason="${esc(r)}">${t(r)}</button>`).join('')}
          <textarea rows="2" aria-label="${esc(t('Lý do trả lại'))}"></textarea>
          <button type="button" class="button" data-send-return="${task.id}">${t('Gửi trả lại')}</button>
        </div>`}
      </li>`;
    }
    html += '</ul>';
    set(html);
    const decide = async (task, action, reason) => {
      // The citizen's "after" photos, as ticked on the card (none offered: the server takes the submission's).
      const picks = [...main().querySelectorAll(`.approval[data-task-id="${task.id}"] [data-public-photo]`)];
      const chosen = action === 'approve' && picks.length
        ? { public_photo_ids: picks.filter((b) => b.checked).map((b) => Number(b.dataset.publicPhoto)) } : {};
      // Held for a few seconds with "Hoàn tác" at the foot of the screen (undo.js), then sent like any change.
      await DH.undo.hold('transition', task.id, {
        action, note: '', reason: reason || '', expected_version: task.version, captured_at: new Date().toISOString(),
        ...chosen,
      }, { label: task.title }, action === 'approve' ? 'Đã duyệt' : 'Đã trả lại', () => DH.app.redraw('#/approvals'));
      // Only this card changes: the others keep whatever the leader has opened on them.
      const card = main().querySelector(`.approval[data-task-id="${task.id}"]`);
      if (card) {
        card.querySelectorAll('.actions, .return-reasons, .public-photos').forEach((el) => el.remove());
        const decidedLine = g.document.createElement('p');
        decidedLine.className = 'decided';
        decidedLine.textContent = t(action === 'approve' ? 'Đã duyệt' : 'Đã trả lại');
        card.append(decidedLine);
      }
    };
    // "Before" photos on demand: one task detail when the leader asks for it, not one per card.
    for (const button of main().querySelectorAll('[data-before]')) {
      button.addEventListener('click', async () => {
        const id = Number(button.dataset.before);
        const loaded = await DH.api.get(`/api/v1/tasks/${id}`);
        if (!loaded.ok) { button.textContent = DH.api.reason(loaded); return; }
        await DH.db.put('details', loaded.body);
        const photos = await beforePhotos(queue.find((q) => q.id === id));
        button.outerHTML = photos.length
          ? `<p class="photo-label">${t('Ảnh trước')}</p><div class="photos before">${photosHtml(photos.slice(0, 4))}</div>`
          : `<p class="empty">${t('Không có ảnh trước')}</p>`;
      });
    }
    for (const card of main().querySelectorAll('.approval')) {
      const task = queue.find((q) => q.id === Number(card.dataset.taskId));
      const approve = card.querySelector('[data-approve]');
      if (!approve) continue;
      approve.addEventListener('click', () => decide(task, 'approve'));
      card.querySelector('[data-return]').addEventListener('click', () => {
        card.querySelector('.return-reasons').hidden = false;
      });
      for (const chip of card.querySelectorAll('[data-reason]')) {
        chip.addEventListener('click', () => decide(task, 'return', chip.dataset.reason));
      }
      card.querySelector('[data-send-return]').addEventListener('click', () => {
        const reason = card.querySelector('textarea').value.trim();
        if (reason) decide(task, 'return', reason);
      });
    }
  }

  async function outboxView() {
    const items = await DH.outbox.list();
    const needsLogin = await DH.db.meta.get('needs_login');
    let html = `<h1>${t('Đang chờ gửi')}</h1>`;
    if (needsLogin) html += `<p class="warning" role="alert">${t('Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại để gửi các thay đổi đang chờ.')} <a href="#/login">${t('Đăng nhập')}</a></p>`;
    if (!items.length) html += `<p class="empty">${t('Không có thay đổi nào đang chờ gửi')}</p>`;
    else html += `<ul class="outbox">${items.map(outboxLine).join('')}</ul>
      <button type="button" class="button primary wide" id="send-now">${t('Gửi ngay')}</button>`;
    set(html);
    const send = main().querySelector('#send-now');
    if (send) send.addEventListener('click', () => DH.app.syncNow('button'));
  }

  function loginView(message) {
    set(`<h1>${t('Đăng nhập')}</h1>
      <form id="login-form">
        <label for="username">${t('Tên đăng nhập')}</label>
        <input id="username" name="username" autocomplete="username" autocapitalize="none" required>
        <label for="password">${t('Mật khẩu')}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        <p class="error" role="alert">${esc(message || '')}</p>
        <button type="submit" class="button primary wide">${t('Đăng nhập')}</button>
      </form>`);
    main().querySelector('#login-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const error = main().querySelector('.error');
      let response;
      try {
        response = await fetch('/api/v1/auth/login', {
          method: 'POST', credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'dieuhanh' },
          body: JSON.stringify({
            username: main().querySelector('#username').value.trim(),
            password: main().querySelector('#password').value,
          }),
        });
      } catch (e) { error.textContent = t('Cần có mạng để đăng nhập'); return; }
      if (!response.ok) {
        let message = t('Sai tên đăng nhập hoặc mật khẩu');
        try { message = (await response.json()).error.message || message; } catch (e) { /* keep */ }
        error.textContent = message;
        return;
      }
      await DH.app.signedIn(await response.json());
    });
  }

  // Delegated: dismissing a refused item works wherever the outbox is listed.
  g.document.addEventListener('click', (event) => {
    const target = event.target.closest && event.target.closest('[data-dismiss]');
    if (target) DH.outbox.dismiss(target.dataset.dismiss).then(() => DH.app.render());
  });

  // The photo viewer: the display size over the screen, closed with a tap (or Back on the phone).
  g.document.addEventListener('click', (event) => {
    const photo = event.target.closest && event.target.closest('a[data-photo]');
    if (!photo || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    const viewer = g.document.createElement('div');
    viewer.className = 'viewer';
    viewer.setAttribute('role', 'dialog');
    viewer.innerHTML = `<img alt="" src="${esc(photo.getAttribute('href'))}"><button type="button" class="link">${t('Đóng')}</button>`;
    viewer.addEventListener('click', () => viewer.remove());
    g.document.body.append(viewer);
  });

  DH.views = {
    tasksView, taskView, reportView, extendView, approvalsView, outboxView, loginView, esc, date, stateLabel, loadDetail,
  };
})(self);
