/* Hộp thư: the person's notifications, kept in IndexedDB for reading offline; the unread count in the app bar.
   Marking read offline is remembered on the phone and sent when the signal returns (it is idempotent). */
'use strict';
(function (g) {
  const DH = (g.DH = g.DH || {});
  const t = (text) => DH.i18n.t(text);
  const esc = (value) => DH.views.esc(value);
  function main() { return g.document.getElementById('main'); }

  async function cached() {
    return (await DH.db.meta.get('inbox')) || { unread: 0, items: [] };
  }

  /* Read marks made offline, not yet sent: ids, or 'all' (with the newest id it covered). */
  async function pending() { return (await DH.db.meta.get('inbox_pending')) || { ids: [], all: 0 }; }

  async function flush() {
    const waiting = await pending();
    if (!waiting.ids.length && !waiting.all) return true;
    if (waiting.all) {
      const r = await DH.api.post('/api/v1/inbox/read-all', {});
      if (!r.ok && r.status !== 404) return false;
    }
    for (const id of waiting.ids) {
      const r = await DH.api.post(`/api/v1/inbox/${id}/read`, {});
      if (!r.ok && r.status !== 404) return false;
    }
    await DH.db.meta.set('inbox_pending', { ids: [], all: 0 });
    return true;
  }

  /* The inbox from the server (after sending offline read marks); the cached copy when that fails. */
  async function refresh() {
    if (!DH.api.online()) return cached();
    await flush();
    const r = await DH.api.get('/api/v1/inbox?limit=100');
    if (!r.ok) return cached();
    // A mark made while this was on its way is not undone by the older answer.
    const waiting = await pending();
    const inbox = r.body;
    for (const item of inbox.items) {
      if (!item.read_at && (waiting.all || waiting.ids.includes(item.id))) {
        item.read_at = new Date().toISOString();
        inbox.unread = Math.max(0, inbox.unread - 1);
      }
    }
    await DH.db.meta.set('inbox', inbox);
    updateCount(inbox.unread);
    return inbox;
  }

  function updateCount(unread) {
    const link = g.document.getElementById('inbox-link');
    if (!link) return;
    const count = link.querySelector('.count-dot');
    count.textContent = unread > 99 ? '99+' : String(unread);
    count.hidden = !unread;
    link.dataset.unread = String(unread);
    link.setAttribute('aria-label', `${t('Hộp thư')}: ${unread} ${t('chưa đọc')}`);
  }

  async function markLocally(id) {
    const inbox = await cached();
    const now = new Date().toISOString();
    for (const item of inbox.items) {
      if ((id === 'all' || item.id === id) && !item.read_at) { item.read_at = now; inbox.unread = Math.max(0, inbox.unread - 1); }
    }
    await DH.db.meta.set('inbox', inbox);
    updateCount(inbox.unread);
  }

  /* Marked on the phone at once; kept as waiting until the server confirms (offline, until the signal returns). */
  async function markRead(id) {
    const waiting = await pending();
    if (id === 'all') waiting.all = 1; else if (!waiting.ids.includes(id)) waiting.ids.push(id);
    await DH.db.meta.set('inbox_pending', waiting);
    await markLocally(id);
    const r = id === 'all' ? await DH.api.post('/api/v1/inbox/read-all', {}) : await DH.api.post(`/api/v1/inbox/${id}/read`, {});
    if (r.ok || r.status === 404) {
      const left = await pending();
      if (id === 'all') left.all = 0; else left.ids = left.ids.filter((x) => x !== id);
      await DH.db.meta.set('inbox_pending', left);
      // An inbox fetched while this was on its way may have put the item back as unread on the phone.
      await markLocally(id);
    }
  }

  /* Where an item leads in the app: its task's screen (the server's link is the desk's). */
  function target(item) {
    if (item.task_id) return `#/task/${item.task_id}`;
    const m = /\/tasks\/(\d+)/.exec(item.link || '');
    return m ? `#/task/${m[1]}` : '#/';
  }

  async function inboxView() {
    let inbox = await cached();
    const render = (data, stale) => {
      let html = `<h1>${t('Hộp thư')}</h1>`;
      if (stale) html += `<p class="warning">${t('Ngoại tuyến: danh sách lần cập nhật trước')}</p>`;
      if (data.unread) html += `<button type="button" class="button wide" id="read-all">${t('Đánh dấu tất cả đã đọc')}</button>`;
      if (!data.items.length) html += `<p class="empty">${t('Không có thông báo nào')}</p>`;
      html += '<ul class="cards inbox">' + data.items.map((item) => `<li>
        <a class="card notice${item.read_at ? '' : ' unread'}" href="${target(item)}" data-notification="${item.id}"
          data-read="${item.read_at ? 'yes' : 'no'}">
          <span class="title">${esc(item.title)}</span>
          ${item.body ? `<span class="body">${esc(item.body)}</span>` : ''}
          <span class="meta">${DH.views.date(item.created_at)}</span></a></li>`).join('') + '</ul>';
      main().innerHTML = html;
      const all = main().querySelector('#read-all');
      if (all) all.addEventListener('click', async () => { await markRead('all'); render(await cached(), !DH.api.online()); });
      for (const link of main().querySelectorAll('[data-notification]')) {
        link.addEventListener('click', () => {
          if (link.dataset.read === 'no') markRead(Number(link.dataset.notification));
        });
      }
    };
    render(inbox, !DH.api.online());
    main().focus({ preventScroll: true });
    if (DH.api.online()) {
      inbox = await refresh();
      if (g.location.hash === '#/inbox') render(inbox, false);
    }
  }

  async function start() {
    updateCount((await cached()).unread);
    if (DH.api.online()) await refresh();
  }

  DH.inbox = { inboxView, refresh, updateCount, start, flush, target };
})(self);
