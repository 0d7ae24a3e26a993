// @ts-check
/* Every request the app and its service worker make to the server goes through here: the session cookie, the
   header the server's CSRF check asks for, and "offline" for no signal or an unreachable server.
   `get`/`post`/`put`/`del` are for requests that need the network (splitting, assigning, chasing, the inbox,
   push settings): answered at once or refused with a clear reason, never queued. Each change carries an
   Idempotency-Key made once per screen, so a double tap or a retry of the same press happens once.
   The outbox's replay (sync.js) uses `request` for its batches, photo uploads and the task cache. */
import { db } from './db.js';
import { t } from './i18n.js';

const HEADERS = { 'X-Requested-With': 'dieuhanh' };
// A read that hangs (signal bars but no data) gives up, so the screen falls back to what is on the phone
// instead of waiting minutes; changes are not cut short, their Idempotency-Key makes a retry safe anyway.
export const settings = { readTimeoutMs: 10000 };

/** @typedef {{ok: boolean, status: number, body: any, offline: boolean}} Answer */

export function online() { return globalThis.navigator.onLine !== false; }

/** The response, or null when there is no network or the server went away mid-request.
    @param {string} url @param {RequestInit} [init] @returns {Promise<Response | null>} */
export async function request(url, init) {
  const options = init || {};
  try {
    return await fetch(url, {
      credentials: 'same-origin', ...options, headers: { ...HEADERS, ...(/** @type {object} */ (options.headers) || {}) },
    });
  } catch (error) {
    return null;
  }
}

/** {ok, status, body, offline}: offline when there is no signal or the server cannot be reached.
    @param {string} method @param {string} url @param {unknown} [body] @param {string} [key] @returns {Promise<Answer>} */
async function call(method, url, body, key) {
  if (!online()) return { ok: false, offline: true, status: 0, body: null };
  /** @type {Record<string, string>} */
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (key) headers['Idempotency-Key'] = key;
  const response = await request(url, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    signal: method === 'GET' && typeof AbortSignal.timeout === 'function' // not in Safari before 16
      ? AbortSignal.timeout(settings.readTimeoutMs) : undefined,
  });
  if (!response) return { ok: false, offline: true, status: 0, body: null };
  let data = null;
  try {
    data = await response.json();
  } catch (e) {
    // A body cut off (the read timed out after the headers, the signal dropped) is no answer at all.
    if (response.ok && response.status !== 204) return { ok: false, offline: true, status: 0, body: null };
  }
  return { ok: response.ok, status: response.status, body: data, offline: false };
}

/** The reason to show for a refused request, in the person's language (the server localises its errors).
    @param {Answer} result */
export function reason(result) {
  if (result.offline) return t('Cần có mạng để thực hiện thao tác này');
  if (result.status === 401) return t('Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.');
  const error = result.body && result.body.error;
  return (error && error.message) || `${t('Lỗi')} ${result.status}`;
}

/** One task's detail from the server, kept on the phone for offline reading. @param {number} id */
export async function task(id) {
  const result = await call('GET', `/api/v1/tasks/${id}`);
  if (result.ok) await db.put('details', result.body);
  return result;
}

/** @param {string} url */
export const get = (url) => call('GET', url);
/** @param {string} url @param {unknown} body @param {string} [key] */
export const post = (url, body, key) => call('POST', url, body, key);
/** @param {string} url @param {unknown} body */
export const put = (url, body) => call('PUT', url, body);
/** @param {string} url @param {unknown} body */
export const del = (url, body) => call('DELETE', url, body);
