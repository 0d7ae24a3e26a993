// @ts-check
/* Đăng nhập (#/login): the session cookie for a month; what waits in the outbox stays through it. */
import * as api from '../api.js';
import { signedIn } from '../app.js';
import { html } from '../esc.js';
import { t } from '../i18n.js';
import { main, show } from '../ui.js';

/** @param {string} selector */
function field(selector) { return /** @type {HTMLInputElement} */ (main().querySelector(selector)); }

/** @param {string} [message] */
export function loginView(message) {
  show(html`<h1>${t('Đăng nhập')}</h1>
    <form id="login-form">
      <label for="username">${t('Tên đăng nhập')}</label>
      <input id="username" name="username" autocomplete="username" autocapitalize="none" required>
      <label for="password">${t('Mật khẩu')}</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      <p class="error" role="alert">${message || ''}</p>
      <button type="submit" class="button primary wide">${t('Đăng nhập')}</button>
    </form>`);
  field('#login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = field('.error');
    const response = await api.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: field('#username').value.trim(), password: field('#password').value }),
    });
    if (!response) { error.textContent = t('Cần có mạng để đăng nhập'); return; }
    if (!response.ok) {
      let reason = t('Sai tên đăng nhập hoặc mật khẩu');
      try { reason = (await response.json()).error.message || reason; } catch (e) { /* keep */ }
      error.textContent = reason;
      return;
    }
    await signedIn(await response.json());
  });
}
