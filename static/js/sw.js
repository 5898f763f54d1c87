// Opens a roll call kept by offline.js with no signal (docs/ARCHITECTURE.md).
const C = 'kkb-offline', H = 1728e5;
addEventListener('install', () => skipWaiting());
addEventListener('activate', e => e.waitUntil(clients.claim()));
addEventListener('fetch', e => {
  const r = e.request, u = new URL(r.url);
  if (r.method != 'GET' || u.origin != location.origin) return;
  if (r.mode == 'navigate') e.respondWith(fetch(r).then(n => (fresh(u.pathname, n.clone()), n),
    () => kept(u.pathname)));
  else if (u.pathname.startsWith('/static/'))
    e.respondWith(caches.match(r).then(m => m || fetch(r)));
});
async function fresh(p, n) {
  const c = await caches.open(C), m = await c.match(p);
  if (m && n.ok && !n.redirected) c.put(p, new Response(await n.blob(), {headers: m.headers}));
}
async function kept(p) {
  const c = await caches.open(C), m = await c.match(p);
  if (m && Date.now() - m.headers.get('x-kept') < H) return m;
  if (m) c.delete(p);
  return Response.error();
}
