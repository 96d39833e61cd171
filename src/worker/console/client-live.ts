// The console page's script, part 4: the command box (its own connection, so a SUBSCRIBE or
// SELECT there leaves the browser's alone), the cluster picture and the stats, polled over the
// WebSocket every 2 s, and the page's start.
export const CLIENT_LIVE = String.raw`
var HISTORY_KEY = 'keyflare.console.history';
var history = [];
try { history = JSON.parse(sessionStorage.getItem(HISTORY_KEY) || '[]'); } catch (e) { history = []; }
var hpos = history.length;

function print(cls, text) {
  var out = $('cmd-out');
  out.appendChild(h('pre', { class: cls }, text));
  while (out.childNodes.length > 500) out.removeChild(out.firstChild);
  out.scrollTop = out.scrollHeight;
}

function commandConn() {
  if (S.cmd && !S.cmd.closed) return Promise.resolve(S.cmd);
  var c = new RespConn(function (f) { print('reply push', formatReply(f)); });
  return c.opened.then(function () { return c.call('AUTH', S.token); }).then(function () { S.cmd = c; return c; });
}

function runCommand(line) {
  if (!line.trim()) return;
  history.push(line);
  if (history.length > 100) history.shift();
  hpos = history.length;
  // Commands only (never the token): AUTH lines are not kept.
  sessionStorage.setItem(HISTORY_KEY, JSON.stringify(history.filter(function (l) { return !/^\s*(auth|hello)\b/i.test(l); })));
  print('prompt', '> ' + line);
  var args = splitArgs(line);
  if (!args) return print('reply error', 'Invalid argument(s)');
  return commandConn().then(function (c) { return c.call.apply(c, args); }).then(function (f) {
    print('reply' + (f.t === 'error' ? ' error' : ''), formatReply(f));
  });
}

/** INFO's text as {field: value}. */
function parseInfo(f) {
  var o = {};
  str(f).split('\r\n').forEach(function (l) {
    var i = l.indexOf(':');
    if (i > 0 && l[0] !== '#') o[l.slice(0, i)] = l.slice(i + 1);
  });
  return o;
}
/** 'a=1,b=x' as {a: '1', b: 'x'}. */
function fields(v) {
  var o = {};
  (v || '').split(',').forEach(function (p) { var i = p.indexOf('='); if (i > 0) o[p.slice(0, i)] = p.slice(i + 1); });
  return o;
}

var COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
var samples = [];
var WINDOW = 150;

function refreshLive() {
  if (!S.conn || S.conn.closed || S.busy) return;
  S.busy = true;
  var t0 = performance.now();
  var c = S.conn;
  Promise.all([c.call('INFO', 'keyflare'), c.call('INFO'), c.call('ROLE'), c.call('SLOWLOG', 'GET', '10')]).then(function (r) {
    S.busy = false;
    var rtt = performance.now() - t0;
    var k = parseInfo(r[0]);
    var all = parseInfo(r[1]);
    var now = Date.now();
    var shards = [];
    for (var i = 0; i < Number(k.shards || 0); i++) {
      var s = fields(k['shard' + i]);
      var repl = fields(k['repl_shard' + i]);
      s.index = i;
      s.repl = repl;
      shards.push(s);
    }
    var prev = samples[samples.length - 1];
    var dt = prev ? (now - prev.at) / 1000 : 0;
    var ops = Number(all.total_commands_processed || 0);
    var sample = {
      at: now, ops: ops, opsRate: prev && dt > 0 ? Math.max(0, (ops - prev.ops) / dt) : 0,
      hits: Number(all.keyspace_hits || 0), misses: Number(all.keyspace_misses || 0),
      memory: Number(all.used_memory || 0), clients: Number(all.connected_clients || 0), rtt: rtt,
      shardOps: shards.map(function (s) { return Number(s.ops || 0); }),
    };
    sample.shardRate = sample.shardOps.map(function (o, j) { return prev && dt > 0 && prev.shardOps[j] !== undefined ? Math.max(0, (o - prev.shardOps[j]) / dt) : 0; });
    samples.push(sample);
    if (samples.length > WINDOW) samples.shift();
    drawCluster(shards, sample, r[2]);
    drawStats(all, sample, r[3]);
  }, function () { S.busy = false; });
}

function startLive() {
  if (S.timer) clearInterval(S.timer);
  refreshLive();
  S.timer = setInterval(refreshLive, 2000);
}

function drawCluster(shards, sample, role) {
  var strip = clear($('strip'));
  var total = 16384;
  shards.forEach(function (s) {
    var m = /^(\d+)-(\d+)$/.exec(s.slots || '');
    if (!m) return;
    var lo = Number(m[1]), hi = Number(m[2]);
    strip.appendChild(h('div', { class: 'seg', data: { shard: s.index }, title: 'slots ' + lo + '–' + hi + ' → shard ' + s.index,
      style: 'left:' + (lo / total * 100) + '%;width:' + ((hi - lo + 1) / total * 100) + '%;background:' + COLORS[s.index % COLORS.length] }));
  });
  var cards = clear($('shards'));
  var known = { slots: 1, keys: 1, expires: 1, memory: 1, ops: 1, hits: 1, misses: 1, index: 1, repl: 1 };
  shards.forEach(function (s, i) {
    var extra = Object.keys(s).filter(function (x) { return !known[x]; }).map(function (x) { return h('div', null, x + ': ' + s[x]); });
    cards.appendChild(h('div', { class: 'card shard', data: { shard: i } },
      h('h3', null, h('span', { class: 'dot', style: 'background:' + COLORS[i % COLORS.length] }), 'shard ' + i),
      h('div', null, 'slots ' + (s.slots || '?')),
      h('div', { class: 'keys' }, 'keys: ' + (s.keys || 0) + (Number(s.expires) ? ' (' + s.expires + ' volatile)' : '')),
      h('div', null, 'memory: ' + human(s.memory || 0)),
      h('div', { class: 'ops' }, 'ops/s: ' + sample.shardRate[i].toFixed(1) + ' · total ' + (s.ops || 0)),
      h('div', null, 'role: ' + (s.role || (role && role.t === 'array' ? str(role.v[0]) : '?'))),
      h('div', null, 'replication offset: ' + (s.repl.offset || '0')),
      s.term !== undefined ? null : h('div', { class: 'muted' }, 'replicas, Raft term, health: none reported yet'),
      extra));
  });
  $('cluster-updated').textContent = 'updated ' + new Date(sample.at).toLocaleTimeString() + ' (live, every 2 s over the WebSocket)';
}

/** A small SVG line chart of the last samples. */
function chart(title, values, fmt) {
  var w = 240, hgt = 60;
  var max = Math.max.apply(null, values.concat([1e-9]));
  var pts = values.map(function (v, i) { return (values.length < 2 ? 0 : i / (values.length - 1) * w).toFixed(1) + ',' + (hgt - v / max * (hgt - 4) - 2).toFixed(1); }).join(' ');
  var ns = 'http://www.w3.org/2000/svg';
  var svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 ' + w + ' ' + hgt);
  svg.setAttribute('class', 'spark');
  var line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', pts);
  svg.appendChild(line);
  var last = values.length ? values[values.length - 1] : 0;
  return h('div', { class: 'card chart' }, h('h3', null, title + ': ' + fmt(last)), svg, h('div', { class: 'muted' }, 'last ' + Math.round(values.length * 2 / 60 * 10) / 10 + ' min, max ' + fmt(max)));
}

function drawStats(all, sample, slow) {
  var hr = function (s) { return s.hits + s.misses ? s.hits / (s.hits + s.misses) * 100 : 0; };
  var box = clear($('charts'));
  box.appendChild(chart('ops/s', samples.map(function (s) { return s.opsRate; }), function (v) { return v.toFixed(1); }));
  box.appendChild(chart('hit rate', samples.map(hr), function (v) { return v.toFixed(1) + ' %'; }));
  box.appendChild(chart('memory', samples.map(function (s) { return s.memory; }), human));
  box.appendChild(chart('clients', samples.map(function (s) { return s.clients; }), function (v) { return String(v); }));
  box.appendChild(chart('latency (round trip)', samples.map(function (s) { return s.rtt; }), function (v) { return v.toFixed(1) + ' ms'; }));
  var sl = clear($('slowlog'));
  if (slow.t === 'error') return sl.appendChild(errorBox(slow));
  if (!slow.v.length) return sl.appendChild(h('div', { class: 'muted' }, 'the slow log is empty'));
  sl.appendChild(table(['id', 'when', 'µs', 'command'], slow.v.map(function (e) {
    return h('tr', null, h('td', null, str(e.v[0])), h('td', null, new Date(Number(str(e.v[1])) * 1000).toLocaleTimeString()),
      h('td', null, str(e.v[2])), h('td', { class: 'v' }, e.v[3].v.map(function (a) { return repr(a.v); }).join(' ')));
  })));
}

document.addEventListener('DOMContentLoaded', function () {
  $('signin').addEventListener('submit', function (e) {
    e.preventDefault();
    var t = $('token').value;
    $('token').value = '';
    signIn(t);
  });
  $('signout').addEventListener('click', function () { sessionStorage.removeItem(KEY); signedOut('signed out'); });
  document.querySelectorAll('nav button[data-tab]').forEach(function (b) { b.addEventListener('click', function () { showTab(b.dataset.tab); }); });
  $('scan').addEventListener('click', scanFirst);
  $('pattern').addEventListener('keydown', function (e) { if (e.key === 'Enter') scanFirst(); });
  $('type').addEventListener('change', scanFirst);
  $('prev').addEventListener('click', function () { S.page--; listKeys(); });
  $('next').addEventListener('click', function () { S.page++; listKeys(); });
  $('adder').appendChild(addKeyForm());
  var input = $('cmd');
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter') { runCommand(input.value); input.value = ''; }
    else if (e.key === 'ArrowUp' && hpos > 0) { input.value = history[--hpos]; e.preventDefault(); }
    else if (e.key === 'ArrowDown') { hpos = Math.min(history.length, hpos + 1); input.value = history[hpos] || ''; e.preventDefault(); }
  });
  var saved = sessionStorage.getItem(KEY);
  if (saved) signIn(saved);
});
`;
