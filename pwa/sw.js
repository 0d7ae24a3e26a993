/* dieuhanh service worker: the app shell in a versioned cache, the outbox replayed by Background Sync.
   The server writes the shell's content hash into VERSION, so any change to the shell is a new version;
   the outbox and the task cache live in IndexedDB and survive every upgrade. */
'use strict';
const BUILD = new URL(self.location.href).searchParams.get('build');
const VERSION = '__SHELL_VERSION__' + (BUILD ? '-' + BUILD : '');
const PREFIX = 'dieuhanh-shell-';
// Photo thumbnails seen online, for reading offline; not part of the shell, so an upgrade keeps them.
const MEDIA = 'dieuhanh-media';
const MEDIA_LIMIT = 300;
const CACHE = PREFIX + VERSION;
const SHELL = [
  '/app/', '/app/index.html', '/app/offline.html', '/app/manifest.webmanifest', '/app/css/app.css',
  '/app/js/i18n.js', '/app/js/db.js', '/app/js/outbox.js', '/app/js/sync.js', '/app/js/camera.js',
  '/app/js/api.js', '/app/js/views.js', '/app/js/manage.js', '/app/js/inbox.js', '/app/js/push.js',
  '/app/js/undo.js', '/app/js/app.js',
  '/app/icons/icon-192.png', '/app/icons/icon-512.png', '/app/icons/maskable-512.png',
  '/app/icons/apple-touch-icon.png',
];
self.DH_VERSION = VERSION;
importScripts('/app/js/db.js', '/app/js/outbox.js', '/app/js/sync.js');

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
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

self.addEventListener('sync', (event) => {
  if (event.tag !== DH.sync.TAG) return;
  event.waitUntil(DH.sync.run('background-sync').then((result) => {
    // Throwing asks the browser to try again later; a signed-out officer must sign in first.
    // A decision still in its undo window when the app was closed is sent on the browser's next try.
    if ((!result.ok && !result.auth) || result.held) throw new Error('outbox not empty');
  }));
});

self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type === 'sync') event.waitUntil(DH.sync.run('message'));
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
  const path = new URL(url || '/', self.location.origin).pathname;
  const task = /^\/tasks\/(\d+)/.exec(path) || /^\/app\/?#?\/?task\/(\d+)/.exec(path);
  return task ? `/app/#/task/${task[1]}` : '/app/#/inbox';
}

self.addEventListener('push', (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = { title: event.data && event.data.text() }; }
  const link = appLink(data.url);
  event.waitUntil(self.registration.showNotification(data.title || 'Điều hành', {
    body: data.body || '',
    tag: data.tag || undefined,
    renotify: !!data.tag,
    icon: '/app/icons/icon-192.png',
    badge: '/app/icons/icon-192.png',
    lang: 'vi',
    data: { link, id: data.id || null },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const link = (event.notification.data && event.notification.data.link) || '/app/#/inbox';
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((client) => new URL(client.url).pathname.startsWith('/app'));
    if (open) {
      await open.focus();
      return open.navigate(new URL(link, self.location.origin).href).catch(() => open.postMessage({ type: 'open', link }));
    }
    return self.clients.openWindow(link);
  })());
});
