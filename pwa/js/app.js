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
    const badge = doc.getElementById('badge');
    badge.textContent = DH.i18n.waitingBadge(counts.waiting);
    badge.dataset.count = String(counts.waiting);
    badge.hidden = counts.waiting === 0 && counts.refused === 0;
    badge.classList.toggle('has-refused', counts.refused > 0);
    doc.getElementById('offline').hidden = g.navigator.onLine;
  }

  function renderChrome() {
    doc.documentElement.lang = DH.i18n.locale;
    doc.getElementById('nav-tasks').textContent = t('Nhiệm vụ');
    doc.getElementById('nav-outbox').textContent = t('Đang chờ gửi');
    const approvals = doc.getElementById('nav-approvals');
    approvals.textContent = t('Duyệt');
    approvals.hidden = !me || !['leader', 'unit_head'].includes(me.role);
    doc.getElementById('offline').textContent = t('Ngoại tuyến');
    doc.getElementById('lang').textContent = DH.i18n.locale === 'vi' ? 'EN' : 'VI';
    doc.getElementById('lang').setAttribute('aria-label', t('Ngôn ngữ'));
    doc.getElementById('logout').textContent = t('Đăng xuất');
    doc.getElementById('logout').hidden = !me;
    doc.getElementById('user').textContent = me ? me.full_name : '';
  }

  async function render() {
    renderChrome();
    await updateBadge();
    const hash = g.location.hash || '#/';
    if (hash === '#/login' || !me) return DH.views.loginView();
    let m;
    if ((m = /^#\/task\/(\d+)\/report$/.exec(hash))) return DH.views.reportView(Number(m[1]));
    if ((m = /^#\/task\/(\d+)\/extend$/.exec(hash))) return DH.views.extendView(Number(m[1]));
    if ((m = /^#\/task\/(\d+)$/.exec(hash))) return DH.views.taskView(Number(m[1]));
    if (hash === '#/approvals') return DH.views.approvalsView();
    if (hash === '#/outbox') return DH.views.outboxView();
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
    }
  }

  async function logout() {
    try {
      await fetch('/api/v1/auth/logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-Requested-With': 'dieuhanh' } });
    } catch (e) { /* offline: the cookie is dropped next time */ }
    me = null;
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
      render();
    });
    doc.getElementById('logout').addEventListener('click', logout);
    await whoAmI();
    await render();
    doc.body.dataset.ready = 'yes';
    if (me && g.navigator.onLine) {
      const refreshed = await DH.sync.refreshTasks();
      await syncNow('start');
      if (refreshed.ok) await render();
    }
  }

  DH.app = { render, queue, patchTask, syncNow, signedIn, get me() { return me; } };
  start();
})(self);
