// The roll call with no signal: docs/meetings.md "Offline", docs/ARCHITECTURE.md.
(() => {
const B = document.body, U = +B.dataset.uid || 0, C = 'kkb-offline', H = 1728e5,
  $ = (s, e = document) => e.querySelector(s), O = $('#offline'),
  L = {hadir: 'Hadir', izin: 'Izin', sakit: 'Sakit', tidak_hadir: 'Tidak hadir'},
  E = 'Sesi Anda berakhir: masuk lagi, tanda dikirim setelah itu. ';
let db, busy, out, tok = {}, seq = 0;
const store = (m, f) => (db = db || new Promise((ok, no) => {
  const r = indexedDB.open('kkb', 1);
  r.onupgradeneeded = () => r.result.createObjectStore('out', {keyPath: 'key'});
  r.onsuccess = () => ok(r.result); r.onerror = no;
})).then(d => new Promise((ok, no) => {
  const t = d.transaction('out', m), r = f(t.objectStore('out'));
  t.oncomplete = () => ok(r.result); t.onerror = no;
}));
const all = () => store('readonly', s => s.getAll()).then(a => a.sort((x, y) => x.o - y.o));
const put = e => store('readwrite', s => s.put(e));
const del = k => store('readwrite', s => s.delete(k));
const mine = e => e.uid == U && (!O || e.url == O.dataset.batch);
async function tidy(page) {
  if (!self.caches) return; // not HTTPS
  const c = await caches.open(C);
  for (const r of await c.keys()) {
    const m = await c.match(r), p = new URL(r.url).pathname;
    if (m.headers.has('x-kept') && (m.headers.get('x-uid') != U ||
        Date.now() - m.headers.get('x-kept') > H || p == page)) c.delete(r);
  }
}
async function keep(html) {
  const c = await caches.open(C), p = location.pathname, m = await c.match(p);
  html = html || await (await fetch(p)).text();
  await c.put(p, new Response(html, {headers: {'content-type': 'text/html; charset=utf-8',
    'x-kept': m ? m.headers.get('x-kept') : Date.now(), 'x-uid': U}}));
  await c.addAll([...document.querySelectorAll('script[src],link[rel=stylesheet]')]
    .map(e => e.src || e.href).filter(u => !u.includes('/sw.js')));
  O.dataset.kept = 1; say();
}
function row(e, final, why) {
  const li = $('#m-' + e.member), f = document.activeElement;
  if (!li) return;
  const st = final || e.status, n = li.cloneNode(true), was = (/is-(\w+)/.exec(li.className) || [])[1];
  move(was, st);
  n.className = 'is-' + st + (final ? '' : ' q-' + e.state);
  n.querySelectorAll('button[name=status]')
    .forEach(b => b.setAttribute('aria-pressed', b.value == st));
  $('.st', n).textContent = L[st];
  $('p', n).append(Object.assign($('.q', n) || document.createElement('small'), {className: 'q',
    textContent: final ? (why ? ' · ' + why : '') : e.state == 'bad' ? ' · ditolak: ' + e.reason : ' · menunggu dikirim'}));
  li.replaceWith(n);
  if (li.contains(f) && f.id) $('#' + f.id).focus();
}
function move(a, b, t = $('#roll-totals')) {
  if (!t || a == b) return;
  for (const [k, d] of [[a, -1], [b, 1]]) {
    const x = k == 'tamu' ? [...t.querySelectorAll('span:not([class]) b')].pop() :
      $(k ? '.t-' + k + ' b' : 'span:not([class]) b', t);
    if (x) x.textContent = +x.textContent + d;
  }
}
function guest(e) {
  let ul = $('#tamu ul.guest-list'), li = $('#g-' + e.key);
  if (!ul) { ul = document.createElement('ul'); ul.className = 'guest-list'; $('#tamu h2').after(ul); }
  if (!li) { li = document.createElement('li'); li.id = 'g-' + e.key; ul.append(li); }
  if (!li.className) move(0, 'tamu');
  li.className = 'q-' + e.state;
  li.textContent = e.name + (e.state == 'ok' ? '' : e.state == 'bad' ?
    ' · ditolak: ' + e.reason : ' · menunggu dikirim');
}
async function say(note) {
  if (!O) return;
  const a = (await all()).filter(mine), w = a.filter(e => e.state == 'wait').length,
    bad = a.length - w, t = $('p', O);
  t.textContent = (navigator.onLine ? '' : 'Tidak ada sinyal: bekerja offline. ') +
    (note || '') + (w ? w + ' tanda menunggu dikirim. ' : 'Semua tanda sudah terkirim. ') +
    (bad ? bad + ' ditolak (alasannya di barisnya). ' : '') +
    (O.dataset.kept ? 'Halaman ini tersimpan di perangkat.' : '');
  $('button', O).hidden = !!O.dataset.kept || O.dataset.open != '1';
}
async function queue(e) {
  e.key = [...crypto.getRandomValues(new Uint8Array(16))]
    .map(b => b.toString(16).padStart(2, '0')).join('');
  Object.assign(e, {uid: U, url: O.dataset.batch, at: Date.now(), o: Date.now() + seq++ / 1e3, state: 'wait'});
  e.kind == 'mark' ? row(e) : guest(e);
  await put(e); say(); flush();
}
async function flush() {
  if (busy) return out = 1;
  if (!U || !navigator.onLine) return;
  busy = 1; let note = '', n = seq;
  try {
    const a = (await all()).filter(e => e.uid == U && e.state == 'wait');
    for (const url of new Set(a.map(e => e.url))) {
      let k = tok[url], s;
      if (!k) {
        s = await fetch(url, {headers: {'HX-Request': 'true'}});
        if (s.status == 401) { note = E; break; }
        k = tok[url] = s.ok && await s.json();
      }
      if (!k || k.user != U) continue;
      const q = a.filter(e => e.url == url);
      for (let i = 0; i < q.length; i += 60) {
        const r = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json',
          'X-CSRFToken': k.csrf, 'HX-Request': 'true'}, body: JSON.stringify({user: U, entries: q.slice(i, i + 60)})});
        // The page's token refused: once more with a fresh one.
        if (!r.ok) { note = r.status == 401 ? E : ''; out = r.status == 400 && k.page; tok = {}; break; }
        for (const x of (await r.json()).results) {
          const e = q.find(y => y.key == x.key);
          if (x.ok) { await del(e.key); e.state = 'ok'; } else Object.assign(e, {state: 'bad', reason: x.reason}), await put(e);
          if (O && e.url == O.dataset.batch) e.kind == 'mark' ? row(e, x.ok && x.status, x.note) : guest(e);
        }
      }
      if (O && url == O.dataset.batch) await refresh(n);
    }
  } catch (err) { tok = {}; } // no signal after all: the entries wait
  busy = 0; say(note);
  if (out) out = 0, flush();
}
async function refresh(n) {
  const html = await (await fetch(location.pathname)).text(),
    t = $('#roll-totals', new DOMParser().parseFromString(html, 'text/html'));
  if (n != seq) return; // tapped since sending: these figures are old
  if (t) $('#roll-totals').replaceWith(t);
  if (O.dataset.kept) keep(html);
}
document.addEventListener('submit', ev => {
  const f = ev.target, li = f.closest('#roll li[id^="m-"]'), g = f.matches('#tamu .guest-form');
  if (f.matches('form[action$="/auth/logout"]')) {
    ev.preventDefault();
    const go = () => f.submit();
    Promise.all([self.caches && caches.delete(C),
      all().then(a => Promise.all(a.filter(e => e.uid == U).map(e => del(e.key))))]).then(go, go);
    return;
  }
  // A walk-in goes through htmx while there is signal (queued if that fails).
  if (!O || !(li && ev.submitter || g && !navigator.onLine)) return;
  ev.preventDefault(); ev.stopPropagation();
  li ? queue({kind: 'mark', member: +li.id.slice(2), status: ev.submitter.value}) : walkIn(f);
}, true);
function walkIn(f, d = new FormData(f)) {
  queue({kind: 'guest', name: d.get('name'), sex: d.get('sex'), affiliation: d.get('affiliation'), pokja: d.get('pokja_id')});
  f.reset();
}
// No signal: a walk-in is queued, a boosted link opens as a page (kept or not).
document.addEventListener('htmx:sendError', ev => {
  const f = ev.detail.elt;
  if (O && f.matches('#tamu .guest-form')) walkIn(f);
  else if (ev.detail.boosted && ev.detail.requestConfig.verb == 'get') location.href = ev.detail.pathInfo.requestPath;
});
addEventListener('online', () => { tok = {}; flush(); });
addEventListener('offline', () => say());
if (!U) return;
if (O) {
  $('button', O).onclick = () => keep().catch(() => say('Belum dapat disimpan: perlu sinyal. '));
  O.hidden = false;
  tok[O.dataset.batch] = {user: U, csrf: JSON.parse(B.getAttribute('hx-headers'))['X-CSRFToken'], page: 1};
  all().then(a => a.filter(mine).forEach(e => e.kind == 'mark' ? row(e) : guest(e)));
  const sw = 'serviceWorker' in navigator && O.dataset.open == '1';
  if (sw) navigator.serviceWorker.register(O.dataset.sw);
  // Kept at once when an organiser opens a roll call on a phone.
  tidy(sw ? '' : location.pathname).then(() => caches.match(location.pathname))
    .then(m => m ? O.dataset.kept = 1 : sw && matchMedia('(pointer: coarse)').matches && keep())
    .catch(() => 0).then(() => say());
} else tidy('');
flush(); setInterval(flush, 2e4);
})();
