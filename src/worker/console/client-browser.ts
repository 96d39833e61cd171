// The console page's script, part 2: DOM helpers, sign-in, and the data browser's key list.
// Every name and value reaches the page as a text node (h() never parses HTML).
export const CLIENT_BROWSER = String.raw`
/** An element with properties and children; strings become text nodes, never markup. */
function h(tag, props) {
  var el = document.createElement(tag);
  if (props) {
    for (var k in props) {
      if (k === 'on') for (var ev in props.on) el.addEventListener(ev, props.on[ev]);
      else if (k === 'class') el.className = props[k];
      else if (k === 'style') el.style.cssText = props[k];
      else if (k === 'data') for (var d in props.data) el.dataset[d] = props.data[d];
      else if (k in el && k !== 'list') el[k] = props[k];
      else el.setAttribute(k, props[k]);
    }
  }
  for (var i = 2; i < arguments.length; i++) {
    var c = arguments[i];
    if (c === null || c === undefined || c === false) continue;
    (Array.isArray(c) ? c : [c]).forEach(function (x) {
      el.appendChild(typeof x === 'string' || typeof x === 'number' ? document.createTextNode(String(x)) : x);
    });
  }
  return el;
}
function $(id) { return document.getElementById(id); }
function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }
function human(n) {
  n = Number(n);
  if (n < 1024) return n + ' B';
  var u = ['KiB', 'MiB', 'GiB', 'TiB'];
  for (var i = 0; i < u.length; i++) { n /= 1024; if (n < 1024 || i === u.length - 1) return n.toFixed(1) + ' ' + u[i]; }
}
function ttlText(ms) {
  ms = Number(ms);
  if (ms === -1) return 'no expiry';
  if (ms === -2) return 'gone';
  var s = Math.ceil(ms / 1000);
  if (s < 120) return s + ' s';
  if (s < 7200) return Math.round(s / 60) + ' min';
  return Math.round(s / 3600) + ' h';
}
/** A name or value cell: text, or escaped bytes marked binary. */
function bytesCell(b) {
  var s = shown(b);
  return h('span', { class: s.binary ? 'bin' : 'txt', title: s.binary ? 'binary: shown as escaped bytes' : '' }, s.text);
}
function errorBox(f) { return h('div', { class: 'err' }, f.t === 'error' ? f.v : 'unexpected reply: ' + formatReply(f)); }

var KEY = 'keyflare.console.token';
var S = { conn: null, cmd: null, readonly: false, cursors: ['0'], page: 0, key: null, timer: null };

/** Sign in: AUTH the token on a fresh /resp WebSocket; the token stays in sessionStorage only. */
function signIn(token) {
  var msg = $('signin-msg');
  msg.textContent = 'signing in…';
  var conn = new RespConn(null, function () { if (S.conn === conn) signedOut('the connection closed'); });
  return conn.opened.then(function () {
    return conn.call('AUTH', token);
  }).then(function (r) {
    if (r.t === 'error') {
      conn.close();
      sessionStorage.removeItem(KEY);
      msg.textContent = 'Sign-in refused: ' + r.v;
      return;
    }
    sessionStorage.setItem(KEY, token);
    S.conn = conn;
    S.token = token;
    return probeWrite(conn).then(function (ro) {
      S.readonly = ro;
      msg.textContent = '';
      document.body.classList.toggle('readonly', ro);
      document.body.classList.add('signed-in');
      return conn.call('ACL', 'WHOAMI').then(function (who) {
        $('who').textContent = 'signed in as ' + (who.t === 'error' ? '?' : str(who)) + (ro ? ' (read-only)' : '');
        showTab('browser');
        scanFirst();
        startLive();
      });
    });
  }, function (e) {
    msg.textContent = 'Sign-in failed: ' + e.message;
  });
}

/** Whether writes are refused: DEL queued inside MULTI is checked by the ACL and never run. */
function probeWrite(conn) {
  return conn.call('MULTI').then(function () {
    return conn.call('DEL', '\u0000keyflare-console-probe');
  }).then(function (r) {
    return conn.call('DISCARD').then(function () { return r.t === 'error' && /^NOPERM/.test(r.v); });
  });
}

function signedOut(why) {
  if (S.timer) clearInterval(S.timer);
  S.timer = null;
  [S.conn, S.cmd].forEach(function (c) { if (c && !c.closed) c.close(); });
  S.conn = S.cmd = null;
  document.body.classList.remove('signed-in', 'readonly');
  $('signin-msg').textContent = why || '';
}

function showTab(name) {
  document.querySelectorAll('.tab').forEach(function (t) { t.hidden = t.id !== 'tab-' + name; });
  document.querySelectorAll('nav button[data-tab]').forEach(function (b) { b.classList.toggle('on', b.dataset.tab === name); });
  if (name === 'cluster' || name === 'stats') refreshLive();
}

var PAGE = 50;

/** SCAN from the page's cursor until a page of keys (or the end), in bounded rounds. */
function scanPage() {
  var pattern = $('pattern').value || '*';
  var type = $('type').value;
  var cursor = S.cursors[S.page];
  var keys = [];
  var rounds = 0;
  function round() {
    var args = ['SCAN', cursor, 'MATCH', pattern, 'COUNT', '200'];
    if (type) args.push('TYPE', type);
    return S.conn.call.apply(S.conn, args).then(function (r) {
      if (r.t === 'error') return { error: r };
      cursor = str(r.v[0]);
      r.v[1].v.forEach(function (k) { keys.push(k.v); });
      rounds++;
      if (cursor === '0' || keys.length >= PAGE || rounds >= 20) return { keys: keys, next: cursor };
      return round();
    });
  }
  return round();
}

function scanFirst() {
  S.cursors = ['0'];
  S.page = 0;
  return listKeys();
}

function listKeys() {
  var list = clear($('keys'));
  list.appendChild(h('div', { class: 'muted' }, 'scanning…'));
  return scanPage().then(function (res) {
    clear(list);
    if (res.error) return list.appendChild(errorBox(res.error));
    S.cursors[S.page + 1] = res.next;
    $('prev').disabled = S.page === 0;
    $('next').disabled = res.next === '0';
    $('pageinfo').textContent = 'page ' + (S.page + 1) + ' · ' + res.keys.length + ' keys' + (res.next === '0' ? ' · end of scan' : '');
    if (!res.keys.length) list.appendChild(h('div', { class: 'muted' }, 'no keys match'));
    var rows = res.keys.map(function (k) {
      var type = h('td', { class: 'type' });
      var ttl = h('td', { class: 'ttl' });
      var row = h('tr', { class: 'key', on: { click: function () { openKey(k); } } }, h('td', null, bytesCell(k)), type, ttl);
      Promise.all([S.conn.call('TYPE', k), S.conn.call('PTTL', k)]).then(function (r) {
        type.textContent = str(r[0]);
        type.className = 'type t-' + str(r[0]);
        ttl.textContent = r[1].t === 'int' && r[1].v !== '-1' ? ttlText(r[1].v) : '';
      });
      return row;
    });
    list.appendChild(h('table', { class: 'grid' }, h('thead', null, h('tr', null, h('th', null, 'key'), h('th', null, 'type'), h('th', null, 'ttl'))), h('tbody', null, rows)));
  });
}

function addKeyForm() {
  var name = h('input', { placeholder: 'new key (\\xHH for bytes)', id: 'new-key' });
  var type = h('select', { id: 'new-type' }, ['string', 'list', 'hash', 'set', 'zset', 'stream'].map(function (t) { return h('option', { value: t }, t); }));
  var value = h('input', { placeholder: 'value (hash: field value; zset: score member; stream: field value)', id: 'new-value' });
  var out = h('span', { class: 'err' });
  function create() {
    var k = unrepr(name.value);
    var parts = splitArgs(value.value) || [];
    var cmd = { string: ['SET', k].concat(parts.slice(0, 1)), list: ['RPUSH', k].concat(parts), hash: ['HSET', k].concat(parts),
      set: ['SADD', k].concat(parts), zset: ['ZADD', k].concat(parts), stream: ['XADD', k, '*'].concat(parts) }[type.value];
    S.conn.call.apply(S.conn, cmd).then(function (r) {
      out.textContent = r.t === 'error' ? r.v : '';
      if (r.t !== 'error') { listKeys(); openKey(k); }
    });
  }
  return h('div', { class: 'row write' }, name, type, value, h('button', { on: { click: create } }, 'add key'), out);
}
`;
