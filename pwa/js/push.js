/* Web Push from the app: permission is asked only when the person taps "Bật thông báo", never on load.
   The subscription is made with the server's VAPID public key and registered with the server; turning it
   off removes it on both sides. The settings screen also chooses the events and the quiet hours. */
'use strict';
(function (g) {
  const DH = (g.DH = g.DH || {});
  const t = (text) => DH.i18n.t(text);
  const esc = (value) => DH.views.esc(value);
  // The server's event kinds (server/notifications/services.py EVENT_KINDS), in the order a person thinks of them.
  const KINDS = {
    assigned: 'Được giao nhiệm vụ', chase: 'Nhắc việc', returned: 'Nhiệm vụ bị trả lại',
    approved: 'Nhiệm vụ được duyệt hoàn thành', submitted: 'Nhiệm vụ chờ duyệt', cancelled: 'Nhiệm vụ bị hủy',
    due_before: 'Sắp đến hạn', due_today: 'Đến hạn hôm nay', overdue: 'Quá hạn',
    escalate_head: 'Đơn vị có nhiệm vụ quá hạn', escalate_leader: 'Nhiệm vụ quá hạn báo lãnh đạo',
    extension_requested: 'Đề nghị gia hạn', extension_approved: 'Gia hạn được chấp thuận',
    extension_rejected: 'Gia hạn không được chấp thuận', comment: 'Ý kiến mới', digest: 'Tóm tắt công việc hằng ngày',
    report_routed: 'Phản ánh chuyển đến đơn vị', report_due_soon: 'Phản ánh sắp đến hạn trả lời',
    report_due_today: 'Phản ánh đến hạn trả lời hôm nay', report_overdue: 'Phản ánh quá hạn trả lời',
  };
  function main() { return g.document.getElementById('main'); }

  function supported() {
    return 'serviceWorker' in g.navigator && 'PushManager' in g && 'Notification' in g;
  }

  function keyBytes(base64url) {
    const padded = (base64url + '='.repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
    return Uint8Array.from(g.atob(padded), (c) => c.charCodeAt(0));
  }

  async function current() {
    if (!supported()) return null;
    const registration = await g.navigator.serviceWorker.ready;
    return registration.pushManager.getSubscription();
  }

  /* {ok} or {error}: the whole path, permission → key → browser subscription → the server. */
  async function subscribe() {
    if (!supported()) return { error: t('Trình duyệt này không hỗ trợ thông báo') };
    if (!DH.api.online()) return { error: t('Cần có mạng để bật thông báo') };
    const permission = await g.Notification.requestPermission();
    if (permission !== 'granted') return { error: t('Bạn chưa cho phép ứng dụng gửi thông báo') };
    const key = await DH.api.get('/api/v1/push/key');
    if (!key.ok) return { error: DH.api.reason(key) };
    const registration = await g.navigator.serviceWorker.ready;
    const options = { userVisibleOnly: true, applicationServerKey: keyBytes(key.body.public_key) };
    let subscription;
    try {
      subscription = await registration.pushManager.subscribe(options);
    } catch (error) {
      // Subscribed before with another server key: start again with this one.
      const old = await registration.pushManager.getSubscription();
      if (!old) return { error: `${t('Không đăng ký được thông báo')}: ${error.message || error}` };
      await old.unsubscribe();
      try { subscription = await registration.pushManager.subscribe(options); } catch (again) {
        return { error: `${t('Không đăng ký được thông báo')}: ${again.message || again}` };
      }
    }
    const json = subscription.toJSON();
    const saved = await DH.api.post('/api/v1/push/subscriptions', {
      endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth },
      expirationTime: json.expirationTime == null ? null : Math.round(json.expirationTime),
    });
    if (!saved.ok) return { error: DH.api.reason(saved) };
    await DH.db.meta.set('push_endpoint', json.endpoint);
    return { ok: true, endpoint: json.endpoint };
  }

  async function unsubscribe() {
    if (!DH.api.online()) return { error: t('Cần có mạng để tắt thông báo') };
    const subscription = await current();
    const endpoint = subscription ? subscription.endpoint : await DH.db.meta.get('push_endpoint');
    if (endpoint) {
      const removed = await DH.api.del('/api/v1/push/subscriptions', { endpoint });
      if (!removed.ok && removed.status !== 404) return { error: DH.api.reason(removed) };
    }
    if (subscription) await subscription.unsubscribe();
    await DH.db.meta.set('push_endpoint', null);
    return { ok: true };
  }

  async function settingsView() {
    const subscription = await current().catch(() => null);
    const on = !!subscription && g.Notification && g.Notification.permission === 'granted';
    const loaded = await DH.api.get('/api/v1/push/settings');
    const settings = loaded.ok ? loaded.body : await DH.db.meta.get('push_settings');
    if (loaded.ok) await DH.db.meta.set('push_settings', settings);
    const known = new Set([...Object.keys(KINDS).filter((k) => k !== 'chase'), ...((await DH.db.meta.get('push_kinds_known')) || [])]);
    for (const kind of (settings && settings.push_kinds) || []) known.add(kind);
    await DH.db.meta.set('push_kinds_known', Array.from(known));
    const enabled = new Set((settings && settings.push_kinds) || []);
    const kinds = Object.keys(KINDS).filter((k) => known.has(k)).concat(Array.from(known).filter((k) => !KINDS[k]));
    main().innerHTML = `<h1>${t('Cài đặt')}</h1>
      <section class="panel"><h2>${t('Thông báo trên điện thoại')}</h2>
        <p id="push-state" data-push="${on ? 'on' : 'off'}">${t(on ? 'Đang bật' : 'Đang tắt')}</p>
        ${supported() ? '' : `<p class="warning">${t('Trình duyệt này không hỗ trợ thông báo')}</p>`}
        <button type="button" class="button ${on ? '' : 'primary'} wide" id="push-toggle" ${supported() ? '' : 'disabled'}>
          ${t(on ? 'Tắt thông báo' : 'Bật thông báo')}</button>
        <p id="push-error" class="error" role="alert"></p>
      </section>
      <section class="panel"><h2>${t('Nhận thông báo khi')}</h2>
        ${settings ? `<form id="push-settings">
          ${kinds.map((k) => `<label class="check"><input type="checkbox" name="kind" value="${esc(k)}" ${enabled.has(k) ? 'checked' : ''}>
            <span>${esc(t(KINDS[k] || 'Thông báo khác'))}</span></label>`).join('')}
          <label class="check"><input type="checkbox" id="quiet" ${settings.quiet_hours ? 'checked' : ''}>
            <span>${t('Không làm phiền từ 21:00 đến 07:00')}</span></label>
          <p id="settings-state" role="status"></p></form>`
          : `<p class="warning">${t('Cần có mạng để thay đổi cài đặt thông báo')}</p>`}
      </section>
      <section class="panel"><h2>${t('Tài khoản')}</h2>
        <p>${esc(DH.app.me ? DH.app.me.full_name : '')}</p>
        <button type="button" class="button wide" id="logout">${t('Đăng xuất')}</button>
      </section>`;
    main().focus({ preventScroll: true });
    main().querySelector('#push-toggle').addEventListener('click', async (event) => {
      const button = event.currentTarget;
      button.disabled = true;
      const result = on ? await unsubscribe() : await subscribe();
      if (result.error) {
        main().querySelector('#push-error').textContent = result.error;
        button.disabled = false;
        return;
      }
      await DH.app.redraw('#/settings');
    });
    const form = main().querySelector('#push-settings');
    if (form) {
      form.addEventListener('change', async () => {
        const state = form.querySelector('#settings-state');
        state.className = '';
        state.textContent = '…';
        const body = {
          push_kinds: Array.from(form.querySelectorAll('input[name=kind]:checked'), (i) => i.value),
          quiet_hours: form.querySelector('#quiet').checked,
          email: !!settings.email,
        };
        const saved = await DH.api.put('/api/v1/push/settings', body);
        state.className = saved.ok ? 'decided' : 'error';
        state.textContent = saved.ok ? t('Đã lưu') : DH.api.reason(saved);
        if (saved.ok) await DH.db.meta.set('push_settings', saved.body);
      });
    }
    main().querySelector('#logout').addEventListener('click', () => DH.app.logout());
  }

  DH.push = { subscribe, unsubscribe, current, settingsView, KINDS };
})(self);
