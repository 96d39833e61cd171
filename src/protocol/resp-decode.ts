// Streaming RESP request decoder: multibulk and inline commands, split or pipelined across
// chunks, with Redis's protocol errors and limits (processMultibulkBuffer/processInlineBuffer).
import { fromBytes } from './bytes.js';

export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
const MAX_MULTIBULK = 2147483647; // Redis: ll > INT_MAX is invalid
const UNAUTH_MAX_MULTIBULK = 10;
const UNAUTH_MAX_BULK = 16384;

export type Decoded = string[] | { error: string };

export class RespDecoder {
  private buf = new Uint8Array(4096);
  private start = 0; // first unread byte
  private end = 0; // one past the last buffered byte
  /** Set by the session: Redis refuses large frames from unauthenticated clients. */
  authenticated = true;
  /** `proto-max-bulk-len`. */
  maxBulkLen = 512 * 1024 * 1024;
  private failed = false;
  // Partial multibulk state, so a huge command split over many chunks is not re-parsed.
  private argc = -1;
  private argv: string[] = [];
  private bulkLen = -1;

  get buffered(): number {
    return this.end - this.start;
  }

  push(chunk: Uint8Array): void {
    const need = this.end + chunk.length;
    if (need > this.buf.length) {
      const live = this.end - this.start;
      if (live + chunk.length <= this.buf.length / 2) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        let cap = this.buf.length * 2;
        while (cap < live + chunk.length) cap *= 2;
        const nb = new Uint8Array(cap);
        nb.set(this.buf.subarray(this.start, this.end));
        this.buf = nb;
      }
      this.end = live;
      this.start = 0;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** The next complete command, a protocol error (after which the connection must close), or null. */
  next(): Decoded | null {
    for (;;) {
      if (this.failed) return null;
      if (this.start >= this.end) return null;
      if (this.argc < 0) {
        if (this.buf[this.start] !== 42 /* '*' */) {
          const r = this.inline();
          if (r === 'skip') continue;
          return r;
        }
        const nl = this.findCR(this.start);
        if (nl < 0) {
          if (this.end - this.start > PROTO_INLINE_MAX_SIZE) return this.fail('Protocol error: too big mbulk count string');
          return null;
        }
        if (nl + 1 >= this.end) return null; // the byte after '\r' (never checked to be '\n') is not here yet
        const ll = string2ll(this.buf, this.start + 1, nl);
        if (ll === null || ll > MAX_MULTIBULK) return this.fail('Protocol error: invalid multibulk length');
        if (ll > UNAUTH_MAX_MULTIBULK && !this.authenticated) return this.fail('Protocol error: unauthenticated multibulk length');
        this.start = nl + 2;
        if (ll <= 0) continue; // Redis skips empty and null multibulks
        this.argc = ll;
        this.argv = [];
      }
      // Reading bulk strings of the current multibulk.
      while (this.argv.length < this.argc) {
        if (this.bulkLen < 0) {
          if (this.start >= this.end) return null;
          const nl = this.findCR(this.start);
          if (nl < 0) {
            if (this.end - this.start > PROTO_INLINE_MAX_SIZE) return this.fail('Protocol error: too big bulk count string');
            return null;
          }
          if (nl + 1 >= this.end) return null;
          const c = this.buf[this.start]!;
          if (c !== 36 /* '$' */) return this.fail(`Protocol error: expected '$', got '${String.fromCharCode(c)}'`);
          const ll = string2ll(this.buf, this.start + 1, nl);
          if (ll === null || ll < 0 || ll > this.maxBulkLen) return this.fail('Protocol error: invalid bulk length');
          if (ll > UNAUTH_MAX_BULK && !this.authenticated) return this.fail('Protocol error: unauthenticated bulk length');
          this.bulkLen = ll;
          this.start = nl + 2;
        }
        if (this.end - this.start < this.bulkLen + 2) return null;
        this.argv.push(fromBytes(this.buf, this.start, this.start + this.bulkLen));
        this.start += this.bulkLen + 2; // Redis does not check the trailing CRLF's bytes
        this.bulkLen = -1;
      }
      const out = this.argv;
      this.argc = -1;
      this.argv = [];
      return out;
    }
  }

  private fail(msg: string): Decoded {
    this.failed = true;
    return { error: 'ERR ' + msg };
  }

  /**
   * Redis finds a count line's end with strchr(querybuf, '\r'): the first '\r', and a NUL byte
   * (the sds terminator's twin) hides everything after it, so the line is "not there yet".
   */
  private findCR(from: number): number {
    const b = this.buf;
    for (let i = from; i < this.end; i++) {
      const c = b[i];
      if (c === 13) return i;
      if (c === 0) return -1;
    }
    return -1;
  }

  private inline(): Decoded | 'skip' | null {
    const b = this.buf;
    let nl = -1;
    // strchr(querybuf, '\n'): a NUL byte before the newline hides it.
    for (let i = this.start; i < this.end; i++) {
      if (b[i] === 10) { nl = i; break; }
      if (b[i] === 0) break;
    }
    if (nl < 0) {
      if (this.end - this.start > PROTO_INLINE_MAX_SIZE) return this.fail('Protocol error: too big inline request');
      return null;
    }
    let lineEnd = nl;
    if (lineEnd > this.start && b[lineEnd - 1] === 13) lineEnd--;
    const line = fromBytes(b, this.start, lineEnd);
    this.start = nl + 1;
    const args = splitArgs(line);
    if (args === null) return this.fail('Protocol error: unbalanced quotes in request');
    if (args.length === 0) return 'skip';
    return args;
  }
}

/** Redis's string2ll over buf[from, to): a strict decimal int64 (no '+', no leading zeros, no "-0"), or null. */
function string2ll(b: Uint8Array, from: number, to: number): number | null {
  const n = to - from;
  if (n <= 0 || n >= 21) return null;
  if (n === 1 && b[from] === 48) return 0;
  let i = from;
  const neg = b[i] === 45;
  if (neg && ++i === to) return null;
  if (b[i]! < 49 || b[i]! > 57) return null;
  if (to - i > 19) return null; // ≥ 10^19 overflows int64 either way
  let v = 0;
  for (; i < to; i++) {
    const c = b[i]! - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  // 19 digits may pass int64's bounds; past 2^53 `v` is approximate, so compare the digits.
  if (v >= 9e18) {
    const digits = String.fromCharCode.apply(null, b.subarray(neg ? from + 1 : from, to) as unknown as number[]);
    if (digits > (neg ? '9223372036854775808' : '9223372036854775807')) return null;
  }
  return neg ? -v : v;
}

function isHex(c: string): boolean {
  return /^[0-9a-fA-F]$/.test(c);
}

/** Redis's sdssplitargs: the inline-command and redis-cli argument grammar. Null on unbalanced quotes. */
export function splitArgs(line: string): string[] | null {
  // sdssplitargs reads a C string: a NUL byte ends the line.
  const z = line.indexOf('\0');
  if (z >= 0) line = line.slice(0, z);
  const out: string[] = [];
  let p = 0;
  const n = line.length;
  for (;;) {
    while (p < n && ' \n\r\t\v\f'.includes(line[p]!)) p++;
    if (p >= n) return out;
    let cur = '';
    let inq = false; // "double quotes"
    let insq = false; // 'single quotes'
    for (;;) {
      const c = line[p];
      if (inq) {
        if (c === undefined) return null;
        if (c === '\\' && line[p + 1] === 'x' && isHex(line[p + 2] ?? '') && isHex(line[p + 3] ?? '')) {
          cur += String.fromCharCode(parseInt(line.slice(p + 2, p + 4), 16));
          p += 3;
        } else if (c === '\\' && p + 1 < n) {
          p++;
          const e = line[p]!;
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          // A closing quote must be followed by a space or the end.
          if (p + 1 < n && !' \n\r\t\v\f'.includes(line[p + 1]!)) return null;
          p++;
          break;
        } else cur += c;
      } else if (insq) {
        if (c === undefined) return null;
        if (c === '\\' && line[p + 1] === "'") {
          p++;
          cur += "'";
        } else if (c === "'") {
          if (p + 1 < n && !' \n\r\t\v\f'.includes(line[p + 1]!)) return null;
          p++;
          break;
        } else cur += c;
      } else {
        // Only these end an unquoted token (not \v or \f, which isspace() skips between tokens).
        if (c === undefined || c === ' ' || c === '\n' || c === '\r' || c === '\t') break;
        if (c === '"') inq = true;
        else if (c === "'") insq = true;
        else cur += c;
      }
      p++;
    }
    out.push(cur);
  }
}
