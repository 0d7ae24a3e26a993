// @ts-check
/* dieuhanh service worker, a module worker: the app shell in a versioned cache, the outbox replayed by
   Background Sync with the page's own modules. The server writes the shell's content hash into VERSION, so
   any change to the shell is a new version, and the list of the shell's files into SHELL: the app's pages,
   styles and icons and every module main.js imports (server/app_shell.py), so no list is kept by hand.
   The outbox and the task cache live in IndexedDB and survive every upgrade. */
import * as sync from '/app/js/sync.js';

const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));
const BUILD = new URL(sw.location.href).searchParams.get('build');
const VERSION = '__SHELL_VERSION__' + (BUILD ? '-' + BUILD : '');
const PREFIX = 'dieuhanh-shell-';
// Photo thumbnails seen online, for reading offline; not part of the shell, so an upgrade keeps them.
const MEDIA = 'dieuhanh-media';
const MEDIA_LIMIT = 300;
const CACHE = PREFIX + VERSION;
const SHELL = '__SHELL_FILES__'.split(' ');

sw.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await sw.clients.claim();
  })());
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  if (/^\/api\/v1\/attachments\/\d+\/thumb$/.test(url.pathname)) { event.respondWith(thumbnail(request)); return; }
  if (!url.pathname.startsWith('/app')) return;
  if (request.mode === 'navigate') {
    event.respondWith((async () => {
      const cache = await caches.open(CACHE);
      // Every address of the app is the same page (routes live after the #), except the offline page itself.
      const shell = (await cache.match(request, { ignoreSearch: true })) || (await cache.match('/app/index.html'));
      if (shell) return shell;
      try {
        return await fetch(request);
      } catch (error) {
        return (await cache.match('/app/offline.html')) || Response.error();
      }
    })());
    return;
  }
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const cached = await cache.match(request, { ignoreSearch: true });
    return cached || fetch(request);
  })());
});

/** @typedef {ExtendableEvent & {tag: string}} SyncEvent Background Sync's event, not in every browser's types. */
sw.addEventListener('sync', (/** @type {SyncEvent} */ event) => {
  if (event.tag !== sync.TAG) return;
  event.waitUntil(sync.run('background-sync').then((result) => {
    // Throwing asks the browser to try again later; a signed-out officer must sign in first.
    // A decision still in its undo window when the app was closed is sent on the browser's next try.
    if ((!result.ok && !result.auth) || result.held) throw new Error('outbox not empty');
  }));
});

sw.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type === 'sync') event.waitUntil(sync.run('message'));
  if (data.type === 'version' && event.source) event.source.postMessage({ type: 'version', version: VERSION });
});

/* Thumbnails: the network first (access may have changed), the copy kept from last time when offline. */
async function thumbnail(request) {
  const cache = await caches.open(MEDIA);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(request, response.clone());
      const keys = await cache.keys();
      for (const old of keys.slice(0, Math.max(0, keys.length - MEDIA_LIMIT))) await cache.delete(old);
    }
    return response;
  } catch (error) {
    return (await cache.match(request)) || Response.error();
  }
}

/* Where a notification leads in the app: a task's screen, else the inbox. The server's links are the desk's
   (/tasks/N); the app opened from a notification shows the same task. */
function appLink(url) {
  const path = new URL(url || '/', sw.location.origin).pathname;
  const task = /^\/tasks\/(\d+)/.exec(path) || /^\/app\/?#?\/?task\/(\d+)/.exec(path);
  return task ? `/app/#/task/${task[1]}` : '/app/#/inbox';
}

sw.addEventListener('push', (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = { title: event.data && event.data.text() }; }
  const link = appLink(data.url);
  /** @type {NotificationOptions & {renotify: boolean}} */
  const options = {
    body: data.body || '',
    tag: data.tag || undefined,
    renotify: !!data.tag,
    icon: '/app/icons/icon-192.png',
    badge: '/app/icons/icon-192.png',
    lang: 'vi',
    data: { link, id: data.id || null },
  };
  event.waitUntil(sw.registration.showNotification(data.title || 'Điều hành', options));
});

sw.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const link = (event.notification.data && event.notification.data.link) || '/app/#/inbox';
  event.waitUntil((async () => {
    const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((client) => new URL(client.url).pathname.startsWith('/app'));
    if (open) {
      await open.focus();
      return open.navigate(new URL(link, sw.location.origin).href).catch(() => open.postMessage({ type: 'open', link }));
    }
    return sw.clients.openWindow(link);
  })());
});
