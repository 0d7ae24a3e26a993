/* Bootstrap: the service worker, who is signed in, the badge, the router, and when to replay the outbox. */
'use strict';
(function (g) {
  const DH = (g.DH = g.DH || {});
  const t = (text) => DH.i18n.t(text);
  const doc = g.document;
  let me = null;
  let retryTimer = null;
  let retryDelay = 500;

  /* Views that redraw when the server's answers arrive; forms and the approval queue are left as they are. */
  function liveView() {
    return /^#\/($|outbox$|task\/\d+$)/.test(g.location.hash || '#/');
  }

  async function updateBadge() {
    const counts = await DH.outbox.counts();
    // A decision in its undo window is not "waiting to send" yet: the undo bar speaks for it.
    const waiting = counts.waiting - counts.held;
    const badge = doc.getElementById('badge');
    badge.textContent = DH.i18n.waitingBadge(waiting);
    badge.dataset.count = String(waiting);
    badge.hidden = waiting === 0 && counts.refused === 0;
    badge.classList.toggle('has-refused', counts.refused > 0);
    doc.getElementById('offline').hidden = g.navigator.onLine;
  }

  function renderChrome() {
    doc.documentElement.lang = DH.i18n.locale;
    doc.getElementById('nav-tasks').textContent = t('Nhiệm vụ');
    doc.getElementById('nav-outbox').textContent = t('Đang chờ gửi');
    const manager = !!me && ['leader', 'unit_head'].includes(me.role);
    const approvals = doc.getElementById('nav-approvals');
    approvals.textContent = t('Duyệt');
    approvals.hidden = !manager;
    const unit = doc.getElementById('nav-unit');
    unit.textContent = t('Đơn vị');
    unit.hidden = !manager;
    doc.getElementById('inbox-link').hidden = !me;
    doc.getElementById('settings-link').hidden = !me;
    doc.getElementById('settings-link').setAttribute('aria-label', t('Cài đặt'));
    const hash = g.location.hash || '#/';
    for (const link of doc.querySelectorAll('.tabs a')) {
      link.classList.toggle('active', link.getAttribute('href') === hash || (link.id === 'nav-tasks' && /^#\/(task\/|$)/.test(hash)));
    }
    doc.getElementById('offline').textContent = t('Ngoại tuyến');
    doc.getElementById('lang').textContent = DH.i18n.locale === 'vi' ? 'EN' : 'VI';
    doc.getElementById('lang').setAttribute('aria-label', t('Ngôn ngữ'));
    doc.getElementById('user').textContent = me ? me.full_name : '';
  }

  /* One render at a time: a render asked for while one runs (the hash changed, a sync finished) runs once
     after it, so a slow view never paints over a newer one, nor a form twice while someone types in it. */
  let rendering = null;
  let renderAgain = false;
  let forceRender = false;
  function render() {
    if (rendering) { renderAgain = true; return rendering; }
    rendering = (async () => {
      try {
        do {
          renderAgain = false;
          // A view that fails must not take the render asked for behind it down with it.
          try { await renderOnce(); } catch (error) { console.error(error); }
        } while (renderAgain);
      } finally {
        rendering = null;
      }
    })();
    return rendering;
  }

  /* A view's own redraw once an answer arrives (a chase, a saved part, a setting): only while that address is
     still on show, and through the one render queue, so a late answer never paints over a screen the person
     has moved to meanwhile. Resolves to whether that screen is the one on show afterwards. */
  async function redraw(hash) {
    const current = () => (g.location.hash || '#/') === hash;
    if (!current()) return false;
    forceRender = true;
    await render();
    return current() && doc.getElementById('main').dataset.view === hash;
  }

  async function renderOnce() {
    renderChrome();
    await updateBadge();
    const hash = g.location.hash || '#/';
    const main = doc.getElementById('main');
    // A form already on the screen for this address keeps what is typed in it (a sync, a second hashchange).
    const form = /^#\/task\/\d+\/(report|extend|split|assign)$/.test(hash);
    if (form && !forceRender && main.dataset.view === hash) return;
    forceRender = false;
    await route(hash);
    main.dataset.view = hash; // what is on the screen now (set after the view, which may have been slow)
  }

  function route(hash) {
    if (hash === '#/login' || !me) return DH.views.loginView();
    let m;
    if ((m = /^#\/task\/(\d+)\/report$/.exec(hash))) return DH.views.reportView(Number(m[1]));
    if ((m = /^#\/task\/(\d+)\/extend$/.exec(hash))) return DH.views.extendView(Number(m[1]));
    if ((m = /^#\/task\/(\d+)\/(split|assign)$/.exec(hash))) return DH.manage.splitView(Number(m[1]), m[2]);
    if ((m = /^#\/task\/(\d+)$/.exec(hash))) return DH.views.taskView(Number(m[1]));
    if (hash === '#/approvals') return DH.views.approvalsView();
    if (hash === '#/outbox') return DH.views.outboxView();
    if (hash === '#/inbox') return DH.inbox.inboxView();
    if (hash === '#/settings') return DH.push.settingsView();
    if (hash === '#/unit') return DH.manage.unitView();
    return DH.views.tasksView();
  }

  async function patchTask(id, change) {
    await DH.db.update('tasks', id, (task) => Object.assign(task, change));
    await DH.db.update('details', id, (task) => Object.assign(task, change));
  }

  async function queue(kind, taskId, body, options) {
    const item = await DH.outbox.add(kind, taskId, body, options);
    DH.sync.register();
    syncNow('change');
    return item;
  }

  function scheduleRetry() {
    if (retryTimer || !g.navigator.onLine) return;
    retryTimer = g.setTimeout(() => { retryTimer = null; syncNow('retry'); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 8000);
  }

  async function syncNow(reason) {
    if (!me || !g.navigator.onLine) { await updateBadge(); return null; }
    const result = await DH.sync.run(reason);
    if (result.ok) {
      retryDelay = 500;
      const refreshed = await DH.sync.refreshTasks();
      DH.inbox.refresh();
      if (refreshed.ok && refreshed.changed && liveView()) await render();
    } else if (result.auth) {
      await render();
    } else {
      scheduleRetry();
    }
    await updateBadge();
    return result;
  }

  async function signedIn(person) {
    const previous = await DH.db.meta.get('me');
    if (previous && previous.id !== person.id) {
      // Someone else signs in on this phone: the task cache was theirs (the outbox stays, it is replayed as them
      // only if they are its author; the server refuses the rest).
      await DH.db.clear('tasks'); await DH.db.clear('details'); await DH.db.meta.set('tasks_cursor', null);
      await DH.db.meta.set('approvals', []);
      await forgetPerson();
    }
    me = person;
    await DH.db.meta.set('me', person);
    await DH.db.meta.set('needs_login', false);
    if (g.location.hash === '#/login') g.location.hash = '#/';
    await render();
    await DH.sync.refreshTasks();
    await syncNow('signed-in');
    await render();
  }

  async function whoAmI() {
    me = await DH.db.meta.get('me');
    if (!g.navigator.onLine) return;
    try {
      const response = await fetch('/api/v1/auth/me', { credentials: 'same-origin' });
      if (response.ok) {
        const person = await response.json();
        if (!me || me.id !== person.id) { await signedInQuietly(person); }
        me = person;
        await DH.db.meta.set('me', person);
      } else if (response.status === 401) {
        me = null; // the queued changes stay; they are sent after signing in again
      }
    } catch (e) { /* offline after all: keep the last person seen */ }
  }

  async function signedInQuietly(person) {
    const previous = await DH.db.meta.get('me');
    if (previous && previous.id !== person.id) {
      await DH.db.clear('tasks'); await DH.db.clear('details'); await DH.db.meta.set('tasks_cursor', null);
      await forgetPerson();
    }
  }

  /* What belonged to the previous person on this phone: their inbox, their unit's list, their settings. */
  async function forgetPerson() {
    DH.manage.forgetChases();
    for (const key of ['inbox', 'inbox_pending', 'unit_tasks', 'push_settings', 'approvals']) await DH.db.meta.set(key, null);
  }

  async function logout() {
    // This phone stops receiving my notifications: the next person to sign in here must not get them.
    try { if (await DH.push.current()) await DH.push.unsubscribe(); } catch (e) { /* offline: the server keeps it */ }
    try {
      await fetch('/api/v1/auth/logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-Requested-With': 'dieuhanh' } });
    } catch (e) { /* offline: the cookie is dropped next time */ }
    me = null;
    DH.manage.forgetChases();
    await DH.db.meta.set('me', null);
    g.location.hash = '#/login';
    await render();
  }

  async function start() {
    if ('serviceWorker' in g.navigator) {
      g.navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
    }
    g.addEventListener('hashchange', render);
    g.addEventListener('online', () => { retryDelay = 500; updateBadge(); syncNow('online'); });
    g.addEventListener('offline', updateBadge);
    g.addEventListener('outbox-changed', async (event) => {
      await updateBadge();
      if (event.detail && event.detail.synced && g.location.hash === '#/outbox') await render();
    });
    if (DH.outbox.channel) {
      DH.outbox.channel.onmessage = async (event) => {
        await updateBadge();
        if (event.data && event.data.synced && liveView()) {
          await DH.sync.refreshTasks();
          await render();
        }
      };
    }
    doc.getElementById('lang').addEventListener('click', () => {
      DH.i18n.setLocale(DH.i18n.locale === 'vi' ? 'en' : 'vi');
      forceRender = true;
      render();
    });
    // A decision held for its undo window when the page went (a reload, a crash) has no undo bar any more.
    await DH.outbox.release();
    await whoAmI();
    await render();
    doc.body.dataset.ready = 'yes';
    if (me) DH.inbox.start();
    if (me && g.navigator.onLine) {
      const refreshed = await DH.sync.refreshTasks();
      await syncNow('start');
      // Forms keep what the person is typing: only the views that show the cache redraw.
      if (refreshed.ok && liveView()) await render();
    }
    doc.body.dataset.started = 'yes'; // the first refresh and replay are over (tests wait for this)
  }

  DH.app = { render, redraw, queue, patchTask, syncNow, signedIn, logout, get me() { return me; } };
  start();
})(self);
