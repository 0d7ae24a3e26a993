// @ts-check
/* Đang chờ gửi (#/outbox): every change still on the phone, refused ones with their reason, and "Gửi ngay". */
import { syncNow } from '../app.js';
import { db } from '../db.js';
import { html } from '../esc.js';
import { t } from '../i18n.js';
import * as outbox from '../outbox.js';
import { main, show } from '../ui.js';

/** @typedef {import('../outbox.js').Item} Item */

/** @param {Item} item */
function errorMessage(item) {
  const body = item.answer && item.answer.body;
  const failed = (item.photos || []).find((p) => p.error);
  return (body && body.error && body.error.message) || (failed && failed.error) || '';
}

/** @param {string} action */
function actionLabel(action) {
  return t(/** @type {Record<string, string>} */ ({ submit: 'Gửi duyệt', approve: 'Duyệt hoàn thành', return: 'Trả lại', cancel: 'Đã hủy' })[action] || action);
}

/** One change of the outbox, on this screen and on its task's. @param {Item} item */
export function outboxLine(item) {
  const answered = !outbox.isWaiting(item) && item.outcome;
  const state = answered
    ? html`<span class="refused">${t(item.outcome === 'refused' ? 'Bị từ chối' : 'Lỗi')}: ${errorMessage(item)}</span>`
    : html`<span class="pending">${t('Đang chờ gửi')}</span>`;
  const what = item.kind === 'progress' ? t('Báo cáo tiến độ')
    : item.kind === 'extension' ? t('Xin gia hạn') : actionLabel(item.body.action);
  const note = item.body.note || item.body.reason || '';
  const photos = (item.photos || []).length;
  return html`<li class="outbox-item" data-outbox-id="${item.id}" data-outcome="${item.outcome || 'waiting'}">
    <b>${what}</b> — ${item.label}${note ? html`<br><q>${note}</q>` : ''}
    ${item.body.percent != null ? ` · ${item.body.percent}%` : ''}${photos ? ` · ${photos} ${t('ảnh')}` : ''}
    <br>${state}
    ${answered ? html`<button type="button" class="link" data-dismiss="${item.id}">${t('Bỏ qua')}</button>` : ''}
  </li>`;
}

export async function outboxView() {
  const items = await outbox.list();
  const needsLogin = await db.meta.get('needs_login');
  show(html`<h1>${t('Đang chờ gửi')}</h1>
    ${needsLogin ? html`<p class="warning" role="alert">${t('Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại để gửi các thay đổi đang chờ.')} <a href="#/login">${t('Đăng nhập')}</a></p>` : ''}
    ${items.length ? html`<ul class="outbox">${items.map(outboxLine)}</ul>
      <button type="button" class="button primary wide" id="send-now">${t('Gửi ngay')}</button>`
      : html`<p class="empty">${t('Không có thay đổi nào đang chờ gửi')}</p>`}`);
  const send = main().querySelector('#send-now');
  if (send) send.addEventListener('click', () => syncNow('button'));
}
