// RESP2 / RESP3 encoder: Frame → wire bytes, lowering RESP3-only shapes for RESP2 clients.
import { toBytes } from './bytes.js';
import type { Frame } from './frame.js';
import { fmtG17 } from './numfmt.js';

export type Proto = 2 | 3;

/** Append the frame's RESP form to `out` as byte-string parts. */
export function encodeTo(f: Frame, proto: Proto, out: string[]): void {
  switch (f.t) {
    case 'simple':
      out.push('+', f.v, '\r\n');
      return;
    case 'err':
      // Redis turns newlines in error text into spaces so the reply stays one line.
      out.push('-', f.v.indexOf('\n') >= 0 || f.v.indexOf('\r') >= 0 ? f.v.replace(/[\r\n]/g, ' ') : f.v, '\r\n');
      return;
    case 'int':
      out.push(':', String(f.v), '\r\n');
      return;
    case 'bulk':
      out.push('$', String(f.v.length), '\r\n', f.v, '\r\n');
      return;
    case 'nil':
      out.push(proto === 3 ? '_\r\n' : '$-1\r\n');
      return;
    case 'nilarr':
      out.push(proto === 3 ? '_\r\n' : '*-1\r\n');
      return;
    case 'arr':
      out.push('*', String(f.v.length), '\r\n');
      for (const x of f.v) encodeTo(x, proto, out);
      return;
    case 'map':
      out.push(proto === 3 ? '%' : '*', String(proto === 3 ? f.v.length / 2 : f.v.length), '\r\n');
      for (const x of f.v) encodeTo(x, proto, out);
      return;
    case 'set':
      out.push(proto === 3 ? '~' : '*', String(f.v.length), '\r\n');
      for (const x of f.v) encodeTo(x, proto, out);
      return;
    case 'push':
      out.push(proto === 3 ? '>' : '*', String(f.v.length), '\r\n');
      for (const x of f.v) encodeTo(x, proto, out);
      return;
    case 'dbl': {
      const s = f.s ?? fmtG17(f.v);
      if (proto === 3) out.push(',', s, '\r\n');
      else out.push('$', String(s.length), '\r\n', s, '\r\n');
      return;
    }
    case 'bool':
      out.push(proto === 3 ? (f.v ? '#t\r\n' : '#f\r\n') : f.v ? ':1\r\n' : ':0\r\n');
      return;
    case 'verb':
      if (proto === 3) out.push('=', String(f.v.length + 4), '\r\n', f.fmt, ':', f.v, '\r\n');
      else out.push('$', String(f.v.length), '\r\n', f.v, '\r\n');
      return;
  }
}

/** One frame as a byte string. */
export function encodeStr(f: Frame, proto: Proto): string {
  const out: string[] = [];
  encodeTo(f, proto, out);
  return out.join('');
}

/** Many frames as wire bytes (one write for a whole pipeline). */
export function encodeMany(fs: readonly Frame[], proto: Proto): Uint8Array {
  const out: string[] = [];
  for (const f of fs) encodeTo(f, proto, out);
  return toBytes(out.join(''));
}

/** A command as a RESP multibulk (what clients send and what the log stores). */
export function encodeCommand(argv: readonly string[]): string {
  const out: string[] = ['*', String(argv.length), '\r\n'];
  for (const a of argv) out.push('$', String(a.length), '\r\n', a, '\r\n');
  return out.join('');
}
