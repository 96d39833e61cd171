// RESP2/RESP3 reply parser (the client side): used by tests, benchmarks and the bridge tooling
// to split a byte stream into replies and read them as Frames.
import type { Frame } from './frame.js';

export interface Parsed {
  frame: Frame;
  end: number;
}

/** Parse one reply from `s` (a byte string) at `pos`; null when incomplete. Attributes are skipped. */
export function parseReply(s: string, pos = 0): Parsed | null {
  const nl = s.indexOf('\r\n', pos);
  if (nl < 0) return null;
  const type = s[pos];
  const line = s.slice(pos + 1, nl);
  const next = nl + 2;
  switch (type) {
    case '+':
      return { frame: { t: 'simple', v: line }, end: next };
    case '-':
      return { frame: { t: 'err', v: line }, end: next };
    case ':': {
      const n = Number(line);
      return { frame: { t: 'int', v: Number.isSafeInteger(n) ? n : BigInt(line) }, end: next };
    }
    case '_':
      return { frame: { t: 'nil' }, end: next };
    case '#':
      return { frame: { t: 'bool', v: line === 't' }, end: next };
    case ',': {
      const v = line === 'inf' ? Infinity : line === '-inf' ? -Infinity : Number(line);
      return { frame: { t: 'dbl', v }, end: next };
    }
    case '(':
      return { frame: { t: 'int', v: BigInt(line) }, end: next };
    case '$':
    case '=':
    case '!': {
      const n = Number(line);
      if (n < 0) return { frame: { t: 'nil' }, end: next };
      if (s.length < next + n + 2) return null;
      const body = s.slice(next, next + n);
      const end = next + n + 2;
      if (type === '=') return { frame: { t: 'verb', fmt: body.slice(0, 3), v: body.slice(4) }, end };
      if (type === '!') return { frame: { t: 'err', v: body }, end };
      return { frame: { t: 'bulk', v: body }, end };
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      const n = Number(line);
      if (n < 0) return { frame: { t: 'nilarr' }, end: next };
      const count = type === '%' || type === '|' ? n * 2 : n;
      const items: Frame[] = [];
      let p = next;
      for (let i = 0; i < count; i++) {
        const r = parseReply(s, p);
        if (!r) return null;
        items.push(r.frame);
        p = r.end;
      }
      if (type === '|') return parseReply(s, p); // attribute: skip it, return the reply it decorates
      const t = type === '*' ? 'arr' : type === '~' ? 'set' : type === '>' ? 'push' : 'map';
      return { frame: { t, v: items } as Frame, end: p };
    }
    default:
      throw new Error(`bad RESP reply type ${JSON.stringify(type)} at ${pos}`);
  }
}

/** Split a byte string into complete reply byte strings; returns the rest. */
export function splitReplies(s: string): { replies: string[]; rest: string } {
  const replies: string[] = [];
  let p = 0;
  for (;;) {
    if (p >= s.length) break;
    const r = parseReply(s, p);
    if (!r) break;
    replies.push(s.slice(p, r.end));
    p = r.end;
  }
  return { replies, rest: s.slice(p) };
}
