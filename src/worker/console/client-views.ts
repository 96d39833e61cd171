// The console page's script, part 3: one key's facts and a paged view of its value, per type,
// with its edits. Values are read a page at a time (GETRANGE, LRANGE, HSCAN, SSCAN, ZRANGE,
// XRANGE), so a huge key never reaches the tab whole.
export const CLIENT_VIEWS = String.raw`
var STR_PAGE = 4096;
var EDIT_MAX = 65536;

/** An editor for bytes: text when they are UTF-8 text, else their escaped form (exact round trip). */
function bytesEditor(b, id) {
  var s = shown(b);
  var ta = h('textarea', { class: 'edit', id: id, rows: 3 });
  ta.value = s.text;
  ta.dataset.escaped = s.binary ? '1' : '';
  return ta;
}
function editorBytes(ta) { return ta.dataset.escaped ? unrepr(ta.value) : enc.encode(ta.value); }

function refuse(out) { return function (r) { out.textContent = r.t === 'error' ? r.v : ''; return r; }; }

function openKey(k) {
  S.key = k;
  var box = clear($('detail'));
  box.appendChild(h('div', { class: 'muted' }, 'loading…'));
  var c = S.conn;
  return Promise.all([c.call('TYPE', k), c.call('OBJECT', 'ENCODING', k), c.call('PTTL', k), c.call('MEMORY', 'USAGE', k)]).then(function (r) {
    clear(box);
    var type = str(r[0]);
    if (type === 'none') return box.appendChild(h('div', { class: 'muted' }, 'the key is gone'));
    var out = h('div', { class: 'err', id: 'key-msg' });
    var facts = h('dl', { class: 'facts' },
      h('dt', null, 'key'), h('dd', { id: 'key-name' }, bytesCell(k)),
      h('dt', null, 'type'), h('dd', { id: 'key-type' }, type),
      h('dt', null, 'encoding'), h('dd', { id: 'key-encoding' }, r[1].t === 'error' ? r[1].v : str(r[1])),
      h('dt', null, 'ttl'), h('dd', { id: 'key-ttl' }, ttlText(str(r[2]))),
      h('dt', null, 'memory'), h('dd', { id: 'key-memory' }, r[3].t === 'int' ? human(r[3].v) : str(r[3])),
      h('dt', null, 'size'), h('dd', { id: 'key-size' }, '…'));
    box.appendChild(h('h2', null, 'Key'));
    box.appendChild(facts);
    box.appendChild(keyActions(k, out));
    box.appendChild(out);
    var view = h('div', { id: 'value' });
    box.appendChild(view);
    var sizeCmd = { string: 'STRLEN', list: 'LLEN', hash: 'HLEN', set: 'SCARD', zset: 'ZCARD', stream: 'XLEN' }[type];
    if (!sizeCmd) return view.appendChild(h('div', { class: 'muted' }, 'no view for type ' + type));
    return c.call(sizeCmd, k).then(function (n) {
      var size = Number(str(n));
      $('key-size').textContent = size + (type === 'string' ? ' bytes' : ' elements');
      VIEWS[type](k, size, view, out, 0);
    });
  });
}

function keyActions(k, out) {
  var name = h('input', { id: 'rename-to', placeholder: 'new name' });
  name.value = shown(k).text;
  var ttl = h('input', { id: 'ttl-s', placeholder: 'seconds (empty: persist)', size: 12 });
  var confirm = h('span', { id: 'confirm-delete', hidden: true }, 'Delete this key? ',
    h('button', { id: 'delete-yes', class: 'danger', on: { click: function () {
      S.conn.call('DEL', k).then(refuse(out)).then(function (r) { if (r.t !== 'error') { clear($('detail')); listKeys(); } });
    } } }, 'yes, delete'),
    h('button', { on: { click: function () { confirm.hidden = true; } } }, 'cancel'));
  return h('div', { class: 'row write' },
    name, h('button', { id: 'rename', on: { click: function () {
      var to = shown(k).binary ? unrepr(name.value) : enc.encode(name.value);
      S.conn.call('RENAME', k, to).then(refuse(out)).then(function (r) { if (r.t !== 'error') { listKeys(); openKey(to); } });
    } } }, 'rename'),
    ttl, h('button', { id: 'set-ttl', on: { click: function () {
      var p = ttl.value.trim() === '' ? S.conn.call('PERSIST', k) : S.conn.call('EXPIRE', k, ttl.value.trim());
      p.then(refuse(out)).then(function (r) { if (r.t !== 'error') openKey(k); });
    } } }, 'set ttl'),
    h('button', { id: 'delete', class: 'danger', on: { click: function () { confirm.hidden = false; } } }, 'delete'), confirm);
}

/** Prev/next over a paged view. */
function pager(at, size, per, go) {
  var last = Math.max(0, Math.ceil(size / per) - 1);
  var page = Math.floor(at / per);
  return h('div', { class: 'pager' },
    h('button', { class: 'vprev', disabled: page === 0, on: { click: function () { go(at - per); } } }, '‹ prev'),
    h('span', { class: 'vpage' }, ' ' + (size ? at : 0) + '–' + Math.min(size, at + per) + ' of ' + size + ' '),
    h('button', { class: 'vnext', disabled: page >= last, on: { click: function () { go(at + per); } } }, 'next ›'));
}

/** A table of rows [cells…, edit action]. */
function table(heads, rows) {
  return h('table', { class: 'grid values' }, h('thead', null, h('tr', null, heads.map(function (x) { return h('th', null, x); }))),
    h('tbody', null, rows));
}

/** A row whose value cell turns into an editor; save(bytes) runs the write. */
function editableRow(cells, value, save, remove, out) {
  var cell = h('td', { class: 'v' }, bytesCell(value));
  var tools = h('td', { class: 'write tools' });
  var row = h('tr', null, cells.map(function (c) { return h('td', null, c); }), cell, tools);
  tools.appendChild(h('button', { class: 'edit-btn', on: { click: function () {
    var ta = bytesEditor(value);
    clear(cell).appendChild(ta);
    clear(tools).appendChild(h('button', { class: 'save-btn', on: { click: function () {
      save(editorBytes(ta)).then(refuse(out)).then(function (r) { if (r.t !== 'error') openKey(S.key); });
    } } }, 'save'));
  } } }, 'edit'));
  if (remove) tools.appendChild(h('button', { class: 'del-btn', on: { click: function () {
    remove().then(refuse(out)).then(function (r) { if (r.t !== 'error') openKey(S.key); });
  } } }, '✕'));
  return row;
}

var VIEWS = {
  string: function (k, size, view, out, at) {
    S.conn.call('GETRANGE', k, String(at), String(at + STR_PAGE - 1)).then(function (r) {
      clear(view);
      if (r.t === 'error') return view.appendChild(errorBox(r));
      var b = r.v;
      var mode = view.dataset.mode || 'text';
      var modes = h('div', { class: 'modes' }, ['text', 'hex', 'json'].map(function (m) {
        return h('button', { class: m === mode ? 'on' : '', id: 'mode-' + m, on: { click: function () { view.dataset.mode = m; VIEWS.string(k, size, view, out, at); } } }, m);
      }));
      var body;
      if (mode === 'hex') {
        var lines = [];
        for (var i = 0; i < b.length; i += 16) {
          var row = Array.prototype.map.call(b.subarray(i, i + 16), function (x) { return (x < 16 ? '0' : '') + x.toString(16); }).join(' ');
          lines.push((at + i).toString(16).padStart(8, '0') + '  ' + row);
        }
        body = h('pre', { class: 'hex' }, lines.join('\n'));
      } else if (mode === 'json') {
        var j = null;
        try { j = size <= STR_PAGE ? JSON.stringify(JSON.parse(utf8.decode(b)), null, 2) : null; } catch (e) { j = null; }
        body = h('pre', { class: 'json' }, j === null ? '(not JSON' + (size > STR_PAGE ? ', or too long to parse here' : '') + ')' : j);
      } else body = h('pre', { class: 'text', id: 'string-value' }, bytesCell(b));
      view.appendChild(modes);
      if (size > STR_PAGE) view.appendChild(pager(at, size, STR_PAGE, function (a) { VIEWS.string(k, size, view, out, a); }));
      view.appendChild(body);
      if (size <= EDIT_MAX) {
        view.appendChild(h('div', { class: 'write' }, h('button', { id: 'edit-string', on: { click: function () {
          S.conn.call('GET', k).then(function (full) {
            var ta = bytesEditor(full.v, 'string-editor');
            ta.rows = 6;
            view.appendChild(h('div', null, ta, h('button', { id: 'save-string', on: { click: function () {
              S.conn.call('SET', k, editorBytes(ta), 'KEEPTTL').then(refuse(out)).then(function (r) { if (r.t !== 'error') openKey(k); });
            } } }, 'save')));
          });
        } } }, 'edit value')));
      } else view.appendChild(h('div', { class: 'muted' }, 'too long to edit here (over ' + human(EDIT_MAX) + '): use the command box, SETRANGE'));
    });
  },
  list: function (k, size, view, out, at) {
    S.conn.call('LRANGE', k, String(at), String(at + PAGE - 1)).then(function (r) {
      clear(view);
      if (r.t === 'error') return view.appendChild(errorBox(r));
      view.appendChild(pager(at, size, PAGE, function (a) { VIEWS.list(k, size, view, out, a); }));
      view.appendChild(table(['index', 'element', ''], r.v.map(function (e, i) {
        return editableRow([String(at + i)], e.v, function (b) { return S.conn.call('LSET', k, String(at + i), b); }, null, out);
      })));
    });
  },
  hash: function (k, size, view, out, at, cursors) {
    cursors = cursors || ['0'];
    var page = Math.floor(at / PAGE);
    S.conn.call('HSCAN', k, cursors[page], 'COUNT', String(PAGE)).then(function (r) {
      clear(view);
      if (r.t === 'error') return view.appendChild(errorBox(r));
      cursors[page + 1] = str(r.v[0]);
      var items = r.v[1].v;
      var rows = [];
      for (var i = 0; i < items.length; i += 2) (function (f, v) {
        rows.push(editableRow([bytesCell(f)], v, function (b) { return S.conn.call('HSET', k, f, b); }, function () { return S.conn.call('HDEL', k, f); }, out));
      })(items[i].v, items[i + 1].v);
      view.appendChild(scanPager(at, size, cursors, function (a) { VIEWS.hash(k, size, view, out, a, cursors); }));
      view.appendChild(table(['field', 'value', ''], rows));
      view.appendChild(adder(['field', 'value'], function (p) { return S.conn.call('HSET', k, p[0], p[1]); }, out));
    });
  },
  set: function (k, size, view, out, at, cursors) {
    cursors = cursors || ['0'];
    var page = Math.floor(at / PAGE);
    S.conn.call('SSCAN', k, cursors[page], 'COUNT', String(PAGE)).then(function (r) {
      clear(view);
      if (r.t === 'error') return view.appendChild(errorBox(r));
      cursors[page + 1] = str(r.v[0]);
      view.appendChild(scanPager(at, size, cursors, function (a) { VIEWS.set(k, size, view, out, a, cursors); }));
      view.appendChild(table(['member', ''], r.v[1].v.map(function (m) {
        var tools = h('td', { class: 'write tools' }, h('button', { class: 'del-btn', on: { click: function () {
          S.conn.call('SREM', k, m.v).then(refuse(out)).then(function (x) { if (x.t !== 'error') openKey(k); });
        } } }, '✕'));
        return h('tr', null, h('td', { class: 'v' }, bytesCell(m.v)), tools);
      })));
      view.appendChild(adder(['member'], function (p) { return S.conn.call('SADD', k, p[0]); }, out));
    });
  },
  zset: function (k, size, view, out, at) {
    S.conn.call('ZRANGE', k, String(at), String(at + PAGE - 1), 'WITHSCORES').then(function (r) {
      clear(view);
      if (r.t === 'error') return view.appendChild(errorBox(r));
      var rows = [];
      for (var i = 0; i < r.v.length; i += 2) (function (m, score, rank) {
        rows.push(editableRow([String(rank), bytesCell(m)], score, function (b) { return S.conn.call('ZADD', k, b, m); }, function () { return S.conn.call('ZREM', k, m); }, out));
      })(r.v[i].v, r.v[i + 1].v, at + i / 2);
      view.appendChild(pager(at, size, PAGE, function (a) { VIEWS.zset(k, size, view, out, a); }));
      view.appendChild(table(['rank', 'member', 'score', ''], rows));
      view.appendChild(adder(['score', 'member'], function (p) { return S.conn.call('ZADD', k, p[0], p[1]); }, out));
    });
  },
  stream: function (k, size, view, out, at, starts) {
    starts = starts || ['-'];
    var page = Math.floor(at / PAGE);
    S.conn.call('XRANGE', k, starts[page], '+', 'COUNT', String(PAGE)).then(function (r) {
      clear(view);
      if (r.t === 'error') return view.appendChild(errorBox(r));
      var entries = r.v;
      if (entries.length) starts[page + 1] = '(' + str(entries[entries.length - 1].v[0]);
      view.appendChild(pager(at, size, PAGE, function (a) { VIEWS.stream(k, size, view, out, a, starts); }));
      view.appendChild(table(['id', 'fields'], entries.map(function (e) {
        var kv = e.v[1].v;
        var cells = [];
        for (var i = 0; i < kv.length; i += 2) cells.push(h('div', null, bytesCell(kv[i].v), ' = ', bytesCell(kv[i + 1].v)));
        return h('tr', null, h('td', null, str(e.v[0])), h('td', { class: 'v' }, cells));
      })));
    });
  },
};

/** Paging over a SCAN-family cursor: next while the cursor is not 0. */
function scanPager(at, size, cursors, go) {
  var page = Math.floor(at / PAGE);
  var end = cursors[page + 1] === '0';
  return h('div', { class: 'pager' },
    h('button', { class: 'vprev', disabled: page === 0, on: { click: function () { go(at - PAGE); } } }, '‹ prev'),
    h('span', { class: 'vpage' }, ' page ' + (page + 1) + ' of ~' + Math.max(1, Math.ceil(size / PAGE)) + ' '),
    h('button', { class: 'vnext', disabled: end, on: { click: function () { go(at + PAGE); } } }, 'next ›'));
}

/** Inputs to add an element (escaped bytes accepted as \xHH). */
function adder(names, run, out) {
  var inputs = names.map(function (n) { return h('input', { placeholder: n, class: 'add-' + n }); });
  return h('div', { class: 'row write' }, inputs, h('button', { class: 'add-btn', on: { click: function () {
    run(inputs.map(function (i) { return unrepr(i.value); })).then(refuse(out)).then(function (r) { if (r.t !== 'error') openKey(S.key); });
  } } }, 'add'));
}
`;
