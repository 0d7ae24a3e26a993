// @ts-check
/* The bridge from the classic service worker to the module one. Before the app's scripts were ES modules, the
   app registered /sw.js as a classic worker, and an installed phone still asks for /sw.js as a classic script
   whenever it checks for a new version: a module worker cannot load there, so the phone would keep its old
   shell for ever. This classic worker is what it gets instead. It takes over at once, reads the app from the
   network first (so the next load is the new page, which registers the module worker at /service-worker.js
   and is replaced by it), keeps answering from the old shell when there is no signal, and reloads the app's
   open windows. The outbox is in IndexedDB and untouched: the new page replays it when it starts. */
'use strict';
(function () {
  const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

  sw.addEventListener('install', (event) => { event.waitUntil(sw.skipWaiting()); });

  sw.addEventListener('activate', (event) => {
    event.waitUntil((async () => {
      await sw.clients.claim();
      for (const client of await sw.clients.matchAll({ type: 'window' })) {
        if (new URL(client.url).pathname.startsWith('/app')) client.navigate(client.url).catch(() => {});
      }
    })());
  });

  sw.addEventListener('fetch', (event) => {
    const request = event.request;
    const url = new URL(request.url);
    if (request.method !== 'GET' || url.origin !== sw.location.origin || !url.pathname.startsWith('/app')) return;
    event.respondWith(fetch(request).catch(async () => (await caches.match(request, { ignoreSearch: true }))
      || (request.mode === 'navigate' && await caches.match('/app/index.html')) || Response.error()));
  });
})();
