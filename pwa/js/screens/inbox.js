// @ts-check
/* Hộp thư (#/inbox): the cached list at once, the server's when it answers; read marks work offline. */
import * as api from '../api.js';
import { html, setHtml } from '../esc.js';
import { t } from '../i18n.js';
import { cached, markRead, refresh, target } from '../inbox.js';
import { date, main } from '../ui.js';

/** @param {import('../inbox.js').Inbox} data @param {boolean} stale */
function draw(data, stale) {
  setHtml(main(), html`<h1>${t('Hộp thư')}</h1>${
    stale ? html`<p class="warning">${t('Ngoại tuyến: danh sách lần cập nhật trước')}</p>` : ''}${
    data.unread ? html`<button type="button" class="button wide" id="read-all">${t('Đánh dấu tất cả đã đọc')}</button>` : ''}${
    data.items.length ? '' : html`<p class="empty">${t('Không có thông báo nào')}</p>`}<ul class="cards inbox">${data.items.map((item) => html`<li>
      <a class="card notice${item.read_at ? '' : ' unread'}" href="${target(item)}" data-notification="${item.id}"
        data-read="${item.read_at ? 'yes' : 'no'}">
        <span class="title">${item.title}</span>
        ${item.body ? html`<span class="body">${item.body}</span>` : ''}
        <span class="meta">${date(item.created_at)}</span></a></li>`)}</ul>`);
  const all = main().querySelector('#read-all');
  if (all) all.addEventListener('click', async () => { await markRead('all'); draw(await cached(), !api.online()); });
  for (const link of /** @type {NodeListOf<HTMLElement>} */ (main().querySelectorAll('[data-notification]'))) {
    link.addEventListener('click', () => {
      if (link.dataset.read === 'no') markRead(Number(link.dataset.notification));
    });
  }
}

export async function inboxView() {
  draw(await cached(), !api.online());
  main().focus({ preventScroll: true });
  if (api.online()) {
    const inbox = await refresh();
    if (location.hash === '#/inbox') draw(inbox, false);
  }
}
