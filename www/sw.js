// The offline copy of the site. Registered by boot.js as `sw.js?build=ID&webgpu=0|1`, where ID
// is the build id of precache.json (www/write-precache.sh): a new build is a new script address,
// so the browser installs this worker again, which fills a new cache and, once no page of the
// old build is open, drops the old one.
//
// - Install: every file precache.json lists (the page, its WebAssembly module, the digits, the
//   weights manifest, the digit classifier, and the WebGPU module where the browser has WebGPU:
//   `webgpu=1`) into the cache `genplay-ID`.
// - Pages and precache.json: from the network, so a new build is seen at once; from the cache
//   when the network is gone.
// - Everything else: from the cache; else from the network, and kept (so each pretrained
//   weights file works offline once it was fetched).
const PARAMETERS = new URL(self.location.href).searchParams;
const BUILD = PARAMETERS.get('build') || 'unversioned';
/** Whether to keep the module variant with WebGPU (a browser without WebGPU never loads it). */
const WEBGPU = PARAMETERS.get('webgpu') !== '0';
const CACHE = `genplay-${BUILD}`;
const LIST = 'precache.json';
const PAGE = 'index.html';

self.addEventListener('install', event => {
  event.waitUntil((async () => {
    const response = await fetch(LIST, { cache: 'no-store' });
    if (!response.ok) throw new Error(`${LIST}: HTTP ${response.status}`);
    const list = await response.clone().json();
    const cache = await caches.open(CACHE);
    const kept = list.files.filter(file => WEBGPU || !file.startsWith('genplay-webgpu'));
    await cache.addAll(kept.map(file => new Request(file, { cache: 'no-store' })));
    await cache.put(LIST, response);
  })());
});

self.addEventListener('activate', event => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('genplay-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', event => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  const scope = new URL(self.registration.scope);
  if (!url.pathname.startsWith(scope.pathname)) return;
  const path = url.pathname.slice(scope.pathname.length);
  if (request.mode === 'navigate') {
    event.respondWith(networkFirst(request, PAGE));
  } else if (path === LIST) {
    event.respondWith(networkFirst(request, LIST));
  } else {
    event.respondWith(cacheFirst(event));
  }
});

/** The network's answer, else the cached copy of `fallback` (the page, or the list). */
async function networkFirst(request, fallback) {
  try {
    return await fetch(request);
  } catch (error) {
    const cached = await caches.open(CACHE).then(cache => cache.match(fallback));
    if (cached) return cached;
    throw error;
  }
}

/**
 * The cached copy, else the network's answer, kept when it is a whole, good one (stored while
 * the page reads it, so a download's progress still shows).
 */
async function cacheFirst(event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(event.request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(event.request);
  if (response.status === 200 && response.type === 'basic') {
    event.waitUntil(cache.put(event.request, response.clone()));
  }
  return response;
}
