// @ts-check
/* Cài đặt (#/settings): Web Push on this phone, which events, quiet hours, and signing out. */
import * as api from '../api.js';
import { logout, person, redraw } from '../app.js';
import { db } from '../db.js';
import { html } from '../esc.js';
import { t } from '../i18n.js';
import { KINDS, current, subscribe, supported, unsubscribe } from '../push.js';
import { main, show } from '../ui.js';

export async function settingsView() {
  const subscription = await current().catch(() => null);
  const on = !!subscription && typeof Notification !== 'undefined' && Notification.permission === 'granted';
  const loaded = await api.get('/api/v1/push/settings');
  const settings = loaded.ok ? loaded.body : await db.meta.get('push_settings');
  if (loaded.ok) await db.meta.set('push_settings', settings);
  const known = new Set([...Object.keys(KINDS).filter((k) => k !== 'chase'), ...((await db.meta.get('push_kinds_known')) || [])]);
  for (const kind of (settings && settings.push_kinds) || []) known.add(kind);
  await db.meta.set('push_kinds_known', Array.from(known));
  const enabled = new Set((settings && settings.push_kinds) || []);
  const kinds = Object.keys(KINDS).filter((k) => known.has(k)).concat(Array.from(known).filter((k) => !KINDS[k]));
  const me = person();
  show(html`<h1>${t('Cài đặt')}</h1>
    <section class="panel"><h2>${t('Thông báo trên điện thoại')}</h2>
      <p id="push-state" data-push="${on ? 'on' : 'off'}">${t(on ? 'Đang bật' : 'Đang tắt')}</p>
      ${supported() ? '' : html`<p class="warning">${t('Trình duyệt này không hỗ trợ thông báo')}</p>`}
      <button type="button" class="button ${on ? '' : 'primary'} wide" id="push-toggle" ${supported() ? '' : 'disabled'}>
        ${t(on ? 'Tắt thông báo' : 'Bật thông báo')}</button>
      <p id="push-error" class="error" role="alert"></p>
    </section>
    <section class="panel"><h2>${t('Nhận thông báo khi')}</h2>
      ${settings ? html`<form id="push-settings">
        ${kinds.map((k) => html`<label class="check"><input type="checkbox" name="kind" value="${k}" ${enabled.has(k) ? 'checked' : ''}>
          <span>${t(KINDS[k] || 'Thông báo khác')}</span></label>`)}
        <label class="check"><input type="checkbox" id="quiet" ${settings.quiet_hours ? 'checked' : ''}>
          <span>${t('Không làm phiền từ 21:00 đến 07:00')}</span></label>
        <p id="settings-state" role="status"></p></form>`
        : html`<p class="warning">${t('Cần có mạng để thay đổi cài đặt thông báo')}</p>`}
    </section>
    <section class="panel"><h2>${t('Tài khoản')}</h2>
      <p>${me ? me.full_name : ''}</p>
      <button type="button" class="button wide" id="logout">${t('Đăng xuất')}</button>
    </section>`);
  /** @param {string} selector */
  const el = (selector) => /** @type {HTMLElement} */ (main().querySelector(selector));
  el('#push-toggle').addEventListener('click', async (event) => {
    const button = /** @type {HTMLButtonElement} */ (event.currentTarget);
    button.disabled = true;
    const result = on ? await unsubscribe() : await subscribe();
    if (result.error) {
      el('#push-error').textContent = result.error;
      button.disabled = false;
      return;
    }
    await redraw('#/settings');
  });
  const form = main().querySelector('#push-settings');
  if (form) {
    form.addEventListener('change', async () => {
      const state = /** @type {HTMLElement} */ (form.querySelector('#settings-state'));
      state.className = '';
      state.textContent = '…';
      const body = {
        push_kinds: Array.from(/** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll('input[name=kind]:checked')), (i) => i.value),
        quiet_hours: /** @type {HTMLInputElement} */ (form.querySelector('#quiet')).checked,
        email: !!settings.email,
      };
      const saved = await api.put('/api/v1/push/settings', body);
      state.className = saved.ok ? 'decided' : 'error';
      state.textContent = saved.ok ? t('Đã lưu') : api.reason(saved);
      if (saved.ok) await db.meta.set('push_settings', saved.body);
    });
  }
  el('#logout').addEventListener('click', () => logout());
}
