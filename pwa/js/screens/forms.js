// @ts-check
/* The officer's forms, kept in the outbox offline: a progress report with photos and GPS (#/task/N/report),
   and an extension request (#/task/N/extend). */
import { patchTask, queue } from '../app.js';
import * as camera from '../camera.js';
import { db } from '../db.js';
import { html } from '../esc.js';
import { t } from '../i18n.js';
import { NOTHING_HERE, backToTask, date, loadDetail, main, show } from '../ui.js';

/** @param {string} selector */
function field(selector) { return /** @type {HTMLInputElement} */ (main().querySelector(selector)); }

/** The task a form is about, from the phone when there is no signal; null (and the screen says so) when
    the phone has never seen it. @param {number} id */
async function taskFor(id) {
  const task = await loadDetail(id) || await db.get('tasks', id);
  if (!task) show(html`<p class="empty">${t(NOTHING_HERE)}</p>`);
  return task;
}

/** @param {number} id */
export async function reportView(id) {
  const task = await taskFor(id);
  if (!task) return;
  show(html`${backToTask(id)}
    <h1>${t('Báo cáo tiến độ')}</h1><p class="subtitle">${task.title}</p>
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
  const form = /** @type {HTMLFormElement} */ (main().querySelector('#report-form'));
  // The form's own fields: a late answer (the GPS) writes into this form even after the screen changed.
  const inForm = (/** @type {string} */ selector) => /** @type {HTMLInputElement} */ (form.querySelector(selector));
  /** @type {Array<{blob: Blob, name: string}>} */
  const photos = [];
  /** @type {Promise<void>[]} */
  const shrinking = [];
  /** @type {{latitude: number, longitude: number, accuracy_m: number} | null} */
  let position = null;
  const percent = inForm('#percent');
  let touched = false;
  percent.addEventListener('input', () => { touched = true; inForm('#percent-out').textContent = `${percent.value}%`; });
  async function locate() {
    const gps = inForm('#gps');
    gps.textContent = t('Đang lấy vị trí…');
    position = await camera.locate();
    gps.textContent = position
      ? `${t('Vị trí')}: ${position.latitude.toFixed(5)}, ${position.longitude.toFixed(5)} (±${position.accuracy_m} m)`
      : t('Không lấy được vị trí');
    gps.dataset.ready = position ? 'yes' : 'no';
  }
  locate();
  inForm('#relocate').addEventListener('click', locate);
  for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll('input[type=file]'))) {
    input.addEventListener('change', () => {
      for (const file of input.files || []) {
        const job = camera.shrink(file).then((photo) => {
          photos.push(photo);
          const img = document.createElement('img');
          img.className = 'thumb';
          img.alt = photo.name;
          img.src = URL.createObjectURL(photo.blob);
          inForm('#previews').append(img);
        });
        shrinking.push(job);
      }
      input.value = '';
    });
  }
  // A second tap while the photos shrink or the report is queued sends nothing more.
  let sending = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (sending || form.dataset.sent) return;
    sending = true;
    await Promise.all(shrinking);
    const note = inForm('#note').value.trim();
    if (!note && !touched) {
      inForm('#form-error').textContent = t('Cần nhập nội dung hoặc tiến độ');
      sending = false;
      return;
    }
    const body = {
      note, percent: Number(percent.value), latitude: /** @type {number | null} */ (null),
      longitude: /** @type {number | null} */ (null), accuracy_m: /** @type {number | null} */ (null),
      captured_at: new Date().toISOString(),
    };
    if (position) Object.assign(body, position);
    form.dataset.sent = 'yes';
    await queue('progress', id, body, { label: task.title, photos });
    await patchTask(id, { progress_percent: body.percent });
    location.hash = `#/task/${id}`;
  });
}

/** @param {number} id */
export async function extendView(id) {
  const task = await taskFor(id);
  if (!task) return;
  show(html`${backToTask(id)}
    <h1>${t('Xin gia hạn')}</h1><p class="subtitle">${task.title} · ${t('Hạn xử lý')}: ${date(task.deadline)}</p>
    <form id="extend-form">
      <label for="deadline">${t('Hạn mới')}</label><input id="deadline" type="date" required>
      <label for="reason">${t('Lý do')}</label><textarea id="reason" rows="3" required></textarea>
      <button class="button primary wide" type="submit">${t('Gửi đề nghị')}</button>
    </form>`);
  field('#extend-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const deadline = field('#deadline').value;
    const reason = field('#reason').value.trim();
    if (!deadline || !reason) return;
    field('#extend-form').dataset.sent = 'yes';
    await queue('extension', id, { requested_deadline: deadline, reason }, { label: task.title });
    location.hash = `#/task/${id}`;
  });
}
