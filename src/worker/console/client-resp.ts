// The console page's script, part 1: RESP over the WebSocket, byte strings and their escaped form.
// Browser JavaScript kept as text (served by console/routes.ts, run by the browser, tested by
// test/e2e/console.test.ts in chromium): no template literals inside, as the text is String.raw.
export const CLIENT_RESP = String.raw`
var enc = new TextEncoder();
var utf8 = new TextDecoder('utf-8', { fatal: true });

/** A command's argument as bytes: strings are UTF-8, Uint8Array passes as is. */
function toBytes(a) {
  return a instanceof Uint8Array ? a : enc.encode(String(a));
}

/** RESP's array of bulk strings. */
function encodeCommand(args) {
  var parts = [enc.encode('*' + args.length + '\r\n')];
  for (var i = 0; i < args.length; i++) {
    var b = toBytes(args[i]);
    parts.push(enc.encode('$' + b.length + '\r\n'), b, enc.encode('\r\n'));
  }
  var n = 0;
  parts.forEach(function (p) { n += p.length; });
  var out = new Uint8Array(n);
  var o = 0;
  parts.forEach(function (p) { out.set(p, o); o += p.length; });
  return out;
}

/** Incremental RESP2/RESP3 reader: feed bytes, take whole replies ({t, v}) in order. */
function RespReader() {
  this.buf = new Uint8Array(0);
}
RespReader.prototype.feed = function (chunk) {
  var b = new Uint8Array(this.buf.length + chunk.length);
  b.set(this.buf);
  b.set(chunk, this.buf.length);
  this.buf = b;
};
RespReader.prototype.take = function () {
  var r = this.parse(0);
  if (!r) return null;
  this.buf = this.buf.subarray(r.end);
  return r.frame;
};
RespReader.prototype.line = function (at) {
  for (var i = at; i + 1 < this.buf.length; i++) {
    if (this.buf[i] === 13 && this.buf[i + 1] === 10) return { text: new TextDecoder().decode(this.buf.subarray(at, i)), end: i + 2 };
  }
  return null;
};
RespReader.prototype.parse = function (at) {
  if (at >= this.buf.length) return null;
  var kind = String.fromCharCode(this.buf[at]);
  var l = this.line(at + 1);
  if (!l) return null;
  var simple = { '+': 'status', '-': 'error', ':': 'int', ',': 'double', '(': 'big' };
  if (simple[kind]) return { frame: { t: simple[kind], v: l.text }, end: l.end };
  if (kind === '_') return { frame: { t: 'nil' }, end: l.end };
  if (kind === '#') return { frame: { t: 'bool', v: l.text === 't' }, end: l.end };
  if (kind === '$' || kind === '=' || kind === '!') {
    var n = Number(l.text);
    if (n < 0) return { frame: { t: 'nil' }, end: l.end };
    if (l.end + n + 2 > this.buf.length) return null;
    var data = this.buf.slice(l.end, l.end + n);
    if (kind === '=') data = data.slice(4);
    return { frame: { t: kind === '!' ? 'error' : 'bulk', v: kind === '!' ? new TextDecoder().decode(data) : data }, end: l.end + n + 2 };
  }
  if (kind === '*' || kind === '~' || kind === '>' || kind === '%') {
    var count = Number(l.text);
    if (count < 0) return { frame: { t: 'nil' }, end: l.end };
    if (kind === '%') count *= 2;
    var items = [];
    var end = l.end;
    for (var i = 0; i < count; i++) {
      var e = this.parse(end);
      if (!e) return null;
      items.push(e.frame);
      end = e.end;
    }
    var t = { '*': 'array', '~': 'set', '>': 'push', '%': 'map' }[kind];
    return { frame: { t: t, v: items }, end: end };
  }
  return { frame: { t: 'error', v: 'console: unreadable reply byte ' + kind }, end: this.buf.length };
};

/**
 * One RESP connection to /resp: replies resolve commands in order; a frame nobody waits for
 * (pub/sub messages after SUBSCRIBE, MONITOR lines) goes to onUnasked.
 */
function RespConn(onUnasked, onClose) {
  var self = this;
  this.waiting = [];
  this.reader = new RespReader();
  this.onUnasked = onUnasked || function () {};
  this.opened = new Promise(function (resolve, reject) {
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/resp';
    var ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    self.ws = ws;
    ws.onopen = function () { resolve(); };
    ws.onerror = function () { reject(new Error('the WebSocket to /resp failed')); };
    ws.onclose = function () {
      self.closed = true;
      self.waiting.splice(0).forEach(function (w) { w({ t: 'error', v: 'console: connection closed' }); });
      if (onClose) onClose();
    };
    ws.onmessage = function (ev) {
      self.reader.feed(new Uint8Array(ev.data));
      for (var f = self.reader.take(); f; f = self.reader.take()) {
        var w = f.t === 'push' ? null : self.waiting.shift();
        if (w) w(f);
        else self.onUnasked(f);
      }
    };
  });
}
/** Send one command; resolves with its reply frame (errors are frames too, never thrown). */
RespConn.prototype.call = function () {
  var args = Array.prototype.slice.call(arguments);
  var self = this;
  if (self.closed) return Promise.resolve({ t: 'error', v: 'console: connection closed' });
  return new Promise(function (resolve) {
    self.waiting.push(resolve);
    self.ws.send(encodeCommand(args));
  });
};
RespConn.prototype.close = function () {
  this.ws.close();
};

/** redis-cli's sdscatrepr: the bytes quoted, non-printable ones as \xHH. */
function repr(b) {
  var s = '"';
  for (var i = 0; i < b.length; i++) {
    var c = b[i];
    if (c === 92) s += '\\\\';
    else if (c === 34) s += '\\"';
    else if (c === 10) s += '\\n';
    else if (c === 13) s += '\\r';
    else if (c === 9) s += '\\t';
    else if (c === 7) s += '\\a';
    else if (c === 8) s += '\\b';
    else if (c >= 32 && c < 127) s += String.fromCharCode(c);
    else s += '\\x' + (c < 16 ? '0' : '') + c.toString(16);
  }
  return s + '"';
}

/** Bytes as text when they are UTF-8 without control characters, else null. */
function asText(b) {
  var s;
  try {
    s = utf8.decode(b);
  } catch (e) {
    return null;
  }
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    if (c < 32 || c === 127) return null;
  }
  return s;
}

/** How the console shows a name or value: its text, or its escaped bytes (then binary). */
function shown(b) {
  var t = asText(b);
  return t === null ? { text: repr(b), binary: true } : { text: t, binary: false };
}

/** The inverse of repr, without the quotes being required: \xHH, \n, \r, \t, \a, \b, \\, \". */
function unrepr(s) {
  if (s.length >= 2 && s[0] === '"' && s[s.length - 1] === '"') s = s.slice(1, -1);
  var out = [];
  var esc = { n: 10, r: 13, t: 9, a: 7, b: 8, '\\': 92, '"': 34 };
  for (var i = 0; i < s.length; i++) {
    var ch = s[i];
    if (ch === '\\' && i + 1 < s.length) {
      var nx = s[i + 1];
      if (nx === 'x' && /^[0-9a-fA-F]{2}$/.test(s.substr(i + 2, 2))) {
        out.push(parseInt(s.substr(i + 2, 2), 16));
        i += 3;
        continue;
      }
      if (esc[nx] !== undefined) {
        out.push(esc[nx]);
        i++;
        continue;
      }
    }
    var cp = s.codePointAt(i);
    var bytes = enc.encode(String.fromCodePoint(cp));
    for (var j = 0; j < bytes.length; j++) out.push(bytes[j]);
    if (cp > 0xffff) i++;
  }
  return new Uint8Array(out);
}

/** redis-cli's sdssplitargs: words, "double quoted" with escapes, 'single quoted'. Null if unbalanced. */
function splitArgs(line) {
  var args = [];
  var i = 0;
  while (true) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) return args;
    var cur = [];
    var push = function (s) { var b = enc.encode(s); for (var k = 0; k < b.length; k++) cur.push(b[k]); };
    var inq = false, ins = false, done = false;
    while (!done) {
      var c = line[i];
      if (inq) {
        if (c === undefined) return null;
        if (c === '\\' && line[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(line.substr(i + 2, 2))) {
          cur.push(parseInt(line.substr(i + 2, 2), 16));
          i += 3;
        } else if (c === '\\' && line[i + 1] !== undefined) {
          var m = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' }[line[i + 1]];
          push(m === undefined ? line[i + 1] : m);
          i++;
        } else if (c === '"') {
          if (line[i + 1] !== undefined && !/\s/.test(line[i + 1])) return null;
          done = true;
        } else push(c);
      } else if (ins) {
        if (c === undefined) return null;
        if (c === '\\' && line[i + 1] === "'") {
          push("'");
          i++;
        } else if (c === "'") {
          if (line[i + 1] !== undefined && !/\s/.test(line[i + 1])) return null;
          done = true;
        } else push(c);
      } else if (c === undefined || /\s/.test(c)) done = true;
      else if (c === '"') inq = true;
      else if (c === "'") ins = true;
      else push(c);
      if (c !== undefined) i++;
    }
    args.push(new Uint8Array(cur));
  }
}

/** A reply as redis-cli prints it on a terminal (cliFormatReplyTTY). */
function formatReply(f, indent) {
  indent = indent || '';
  switch (f.t) {
    case 'status': return f.v;
    case 'error': return '(error) ' + f.v;
    case 'int': return '(integer) ' + f.v;
    case 'double': return '(double) ' + f.v;
    case 'big': return '(big number) ' + f.v;
    case 'bool': return f.v ? '(true)' : '(false)';
    case 'nil': return '(nil)';
    case 'bulk': return repr(f.v);
  }
  var items = f.v;
  if (items.length === 0) return { array: '(empty array)', set: '(empty set)', map: '(empty hash)', push: '(empty push)' }[f.t];
  var isMap = f.t === 'map';
  var n = isMap ? items.length / 2 : items.length;
  var width = String(n).length;
  var out = '';
  for (var i = 0; i < n; i++) {
    var idx = String(i + 1);
    while (idx.length < width) idx = ' ' + idx;
    var head = idx + (isMap ? '# ' : f.t === 'set' ? '~ ' : ') ');
    var inner = indent + head.replace(/./g, ' ');
    if (i > 0) out += '\n' + indent;
    if (isMap) out += head + formatReply(items[2 * i], inner) + ' => ' + formatReply(items[2 * i + 1], inner);
    else out += head + formatReply(items[i], inner);
  }
  return out;
}

/** A frame's bytes/text as a JS string (status, bulk as UTF-8 lossily, ints as digits). */
function str(f) {
  if (!f) return '';
  if (f.t === 'bulk') return new TextDecoder().decode(f.v);
  return f.v === undefined ? '' : String(f.v);
}
`;
