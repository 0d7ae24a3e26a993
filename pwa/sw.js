/* dieuhanh service worker: the app shell in a versioned cache, the outbox replayed by Background Sync.
   The server writes the shell's content hash into VERSION, so any change to the shell is a new version;
   the outbox and the task cache live in IndexedDB and survive every upgrade. */
'use strict';
const BUILD = new URL(self.location.href).searchParams.get('build');
const VERSION = '__SHELL_VERSION__' + (BUILD ? '-' + BUILD : '');
const PREFIX = 'dieuhanh-shell-';
const CACHE = PREFIX + VERSION;
const SHELL = [
  '/app/', '/app/index.html', '/app/offline.html', '/app/manifest.webmanifest', '/app/css/app.css',
  '/app/js/i18n.js', '/app/js/db.js', '/app/js/outbox.js', '/app/js/sync.js', '/app/js/camera.js',
  '/app/js/views.js', '/app/js/app.js',
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
  if (url.origin !== self.location.origin || !url.pathname.startsWith('/app')) return;
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
    if (!result.ok && !result.auth) throw new Error('outbox not empty');
  }));
});

self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type === 'sync') event.waitUntil(DH.sync.run('message'));
  if (data.type === 'version' && event.source) event.source.postMessage({ type: 'version', version: VERSION });
});
