// @ts-check
/* Web Push from the app: permission is asked only when the person taps "Bật thông báo", never on load.
   The subscription is made with the server's VAPID public key and registered with the server; turning it
   off removes it on both sides. The settings screen (screens/settings.js) also chooses the events and the
   quiet hours. */
import * as api from './api.js';
import { db } from './db.js';
import { t } from './i18n.js';

// The server's event kinds (server/notifications/services.py EVENT_KINDS), in the order a person thinks of them.
/** @type {Record<string, string>} */
export const KINDS = {
  assigned: 'Được giao nhiệm vụ', chase: 'Nhắc việc', returned: 'Nhiệm vụ bị trả lại',
  approved: 'Nhiệm vụ được duyệt hoàn thành', submitted: 'Nhiệm vụ chờ duyệt', cancelled: 'Nhiệm vụ bị hủy',
  due_before: 'Sắp đến hạn', due_today: 'Đến hạn hôm nay', overdue: 'Quá hạn',
  escalate_head: 'Đơn vị có nhiệm vụ quá hạn', escalate_leader: 'Nhiệm vụ quá hạn báo lãnh đạo',
  extension_requested: 'Đề nghị gia hạn', extension_approved: 'Gia hạn được chấp thuận',
  extension_rejected: 'Gia hạn không được chấp thuận', comment: 'Ý kiến mới', digest: 'Tóm tắt công việc hằng ngày',
  report_routed: 'Phản ánh chuyển đến đơn vị', report_due_soon: 'Phản ánh sắp đến hạn trả lời',
  report_due_today: 'Phản ánh đến hạn trả lời hôm nay', report_overdue: 'Phản ánh quá hạn trả lời',
};

export function supported() {
  return 'serviceWorker' in navigator && 'PushManager' in globalThis && 'Notification' in globalThis;
}

/** @param {string} base64url */
function keyBytes(base64url) {
  const padded = (base64url + '='.repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

export async function current() {
  if (!supported()) return null;
  const registration = await navigator.serviceWorker.ready;
  return registration.pushManager.getSubscription();
}

/** {ok} or {error}: the whole path, permission → key → browser subscription → the server.
    @returns {Promise<{ok?: boolean, endpoint?: string, error?: string}>} */
export async function subscribe() {
  if (!supported()) return { error: t('Trình duyệt này không hỗ trợ thông báo') };
  if (!api.online()) return { error: t('Cần có mạng để bật thông báo') };
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return { error: t('Bạn chưa cho phép ứng dụng gửi thông báo') };
  const key = await api.get('/api/v1/push/key');
  if (!key.ok) return { error: api.reason(key) };
  const registration = await navigator.serviceWorker.ready;
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
  const saved = await api.post('/api/v1/push/subscriptions', {
    endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth },
    expirationTime: json.expirationTime == null ? null : Math.round(json.expirationTime),
  });
  if (!saved.ok) return { error: api.reason(saved) };
  await db.meta.set('push_endpoint', json.endpoint);
  return { ok: true, endpoint: json.endpoint };
}

/** @returns {Promise<{ok?: boolean, error?: string}>} */
export async function unsubscribe() {
  if (!api.online()) return { error: t('Cần có mạng để tắt thông báo') };
  const subscription = await current();
  const endpoint = subscription ? subscription.endpoint : await db.meta.get('push_endpoint');
  if (endpoint) {
    const removed = await api.del('/api/v1/push/subscriptions', { endpoint });
    if (!removed.ok && removed.status !== 404) return { error: api.reason(removed) };
  }
  if (subscription) await subscription.unsubscribe();
  await db.meta.set('push_endpoint', null);
  return { ok: true };
}
