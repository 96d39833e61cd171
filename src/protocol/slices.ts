// Lossless encodings of command batches (string[][]) and replies (Frame[]) cut into slices of a
// bounded serialized size, so a payload of any size crosses an RPC whose payload is limited
// (the platform's 32 MiB).
//
// A slice is { h, s }: `h` is the structure, in ASCII tokens never cut across slices; `s` holds
// the string payloads in order, as strings of their own. Why strings and not bytes: passing them
// costs what serialization costs (a copy), where converting 40 MB to bytes and back in JS took
// over a second; and the receiver gets fresh strings (a long one cut into pieces is rejoined
// into one flat string), never views that keep a whole received buffer alive.
//
// Grammar of the structure (`$n` announces one string of n UTF-16 code units; its payload is
// the next piece(s) of `s`, cut only when it does not fit the rest of a slice):
//   batch     := ('*' <argc> '\n' ('$' <len> '\n'){argc})*
//   frame   F := ('+' | '-' | 'b') $ | '_' | '!' | 't' | 'f'
//              | ':' <num> '\n' | '(' <bigint> '\n' | ',' <num> '\n' | ';' <num> '\n' $
//              | '=' $ $ | ('*' | '%' | '~' | '>') <n> '\n' F{n}
//   replies   := F*
import type { Frame } from './frame.js';

/** The platform's limit on an RPC's serialized arguments or return value. */
export const RPC_LIMIT = 32 * 1024 * 1024;
/**
 * A payload estimated (batchBytes, framesBytes) at most this size goes in one RPC; a larger one in
 * slices of at most this size. Either serializes to at most twice it (two-byte strings): half the
 * limit, leaving room for the call's other arguments.
 */
export const SLICE_BYTES = 8 * 1024 * 1024;

/** A slice of a batch or of replies (see the grammar above). */
export interface Slice {
  h: string;
  s: string[];
}

// Upper bounds of V8's serialization overhead, per string / array / object (tags, varint
// lengths, property names), for the size estimates below.
const STR_OVERHEAD = 8;
const ARR_OVERHEAD = 16;
const FRAME_OVERHEAD = 48;
/** The slice object, its `s` array and its `h` string. */
const EMPTY_SLICE = ARR_OVERHEAD * 2 + STR_OVERHEAD;
/** A string is cut only if at least this much of it fits the rest of a slice. */
const MIN_PIECE = 4096;

/**
 * An upper bound of a batch's serialized size, counting one byte per char: a string in V8's
 * two-byte representation serializes at two bytes per char, so the real size is at most twice it.
 */
export function batchBytes(batch: readonly (readonly string[])[]): number {
  let n = ARR_OVERHEAD;
  for (const argv of batch) {
    n += ARR_OVERHEAD;
    for (const a of argv) n += STR_OVERHEAD + a.length;
  }
  return n;
}

/** As batchBytes, for replies; stops counting once past `cap` (the answer is then > cap). */
export function framesBytes(frames: readonly Frame[], cap = Infinity): number {
  let n = ARR_OVERHEAD;
  const stack: (readonly Frame[])[] = [frames];
  while (stack.length) {
    const fs = stack.pop()!;
    for (const f of fs) {
      n += FRAME_OVERHEAD;
      switch (f.t) {
        case 'simple':
        case 'err':
        case 'bulk':
          n += f.v.length;
          break;
        case 'verb':
          n += f.v.length + f.fmt.length;
          break;
        case 'dbl':
          if (f.s !== undefined) n += f.s.length;
          break;
        case 'int':
          if (typeof f.v === 'bigint') n += 32;
          break;
        case 'arr':
        case 'map':
        case 'set':
        case 'push':
          n += ARR_OVERHEAD;
          stack.push(f.v);
          break;
      }
    }
    if (n > cap) return n;
  }
  return n;
}

/** An upper bound of a slice's serialized size, by the same measure as batchBytes. */
export function sliceBytes(slice: Slice): number {
  let n = EMPTY_SLICE + slice.h.length;
  for (const x of slice.s) n += STR_OVERHEAD + x.length;
  return n;
}

/** A number's exact text: Number(numText(v)) is v again (-0, NaN and the infinities included). */
function numText(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

type Token = { head: string; str?: string };

/**
 * Writes tokens into slices of at most `max` bytes as sliceBytes counts them. Subclasses walk
 * their input one token at a time (advance), so a reply can be encoded lazily, slice by slice.
 */
abstract class SliceEncoder {
  private h: string[] = [];
  private s: string[] = [];
  private size = EMPTY_SLICE;
  private pending: Token | null = null;
  /** The string being written, from `off`. */
  private str: string | null = null;
  private off = 0;
  private finished = false;

  constructor(private readonly max: number) {
    if (max < MIN_PIECE * 4) throw new Error(`slice size ${max} is too small`);
  }

  /** The next token, or null at the end of the input. */
  protected abstract advance(): Token | null;

  /** The next slice (never empty), or null when everything was returned. */
  next(): Slice | null {
    if (this.finished) return null;
    for (;;) {
      if (this.str !== null) {
        const room = this.max - this.size - STR_OVERHEAD;
        const rest = this.str.length - this.off;
        if (rest <= room) {
          this.s.push(this.off === 0 ? this.str : this.str.substring(this.off));
          this.size += STR_OVERHEAD + rest;
          this.str = null;
          continue;
        }
        if (room < MIN_PIECE) return this.take();
        this.s.push(this.str.substring(this.off, this.off + room));
        this.size += STR_OVERHEAD + room;
        this.off += room;
        return this.take();
      }
      const t = this.pending ?? this.advance();
      this.pending = null;
      if (t === null) {
        this.finished = true;
        return this.h.length || this.s.length ? this.take() : null;
      }
      const head = t.str === undefined ? t.head : t.head + '$' + String(t.str.length) + '\n';
      // Headers are never cut; a string that starts here must have a useful piece of room.
      const need = head.length + (t.str === undefined ? 0 : STR_OVERHEAD + Math.min(t.str.length, MIN_PIECE));
      if (this.size + need > this.max && (this.h.length || this.s.length)) {
        this.pending = t;
        return this.take();
      }
      this.h.push(head);
      this.size += head.length;
      // An empty string has no piece.
      if (t.str) {
        this.str = t.str;
        this.off = 0;
      }
    }
  }

  /** True when next() would answer null (looks one token ahead). */
  get done(): boolean {
    if (this.finished) return true;
    if (this.str !== null || this.pending !== null || this.h.length || this.s.length) return false;
    this.pending = this.advance();
    if (this.pending === null) this.finished = true;
    return this.finished;
  }

  private take(): Slice {
    const out = { h: this.h.join(''), s: this.s };
    this.h = [];
    this.s = [];
    this.size = EMPTY_SLICE;
    return out;
  }
}

/** Slices of a command batch. */
export class BatchEncoder extends SliceEncoder {
  private c = 0;
  private a = -1;

  constructor(private readonly batch: readonly (readonly string[])[], max: number) {
    super(max);
  }

  protected advance(): Token | null {
    for (;;) {
      if (this.c >= this.batch.length) return null;
      const argv = this.batch[this.c]!;
      if (this.a < 0) {
        this.a = 0;
        return { head: '*' + String(argv.length) + '\n' };
      }
      if (this.a < argv.length) return { head: '', str: argv[this.a++]! };
      this.c++;
      this.a = -1;
    }
  }
}

/** Slices of a list of replies. */
export class FramesEncoder extends SliceEncoder {
  private readonly stack: { fs: readonly Frame[]; i: number }[];
  /** A verb's second string, written right after the token that announced the verb. */
  private follow: string | null = null;

  constructor(frames: readonly Frame[], max: number) {
    super(max);
    this.stack = [{ fs: frames, i: 0 }];
  }

  protected advance(): Token | null {
    if (this.follow !== null) {
      const str = this.follow;
      this.follow = null;
      return { head: '', str };
    }
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top) return null;
      if (top.i >= top.fs.length) {
        this.stack.pop();
        continue;
      }
      const f = top.fs[top.i++]!;
      switch (f.t) {
        case 'simple':
          return { head: '+', str: f.v };
        case 'err':
          return { head: '-', str: f.v };
        case 'bulk':
          return { head: 'b', str: f.v };
        case 'nil':
          return { head: '_' };
        case 'nilarr':
          return { head: '!' };
        case 'bool':
          return { head: f.v ? 't' : 'f' };
        case 'int':
          return { head: typeof f.v === 'bigint' ? '(' + f.v.toString() + '\n' : ':' + numText(f.v) + '\n' };
        case 'dbl':
          if (f.s === undefined) return { head: ',' + numText(f.v) + '\n' };
          return { head: ';' + numText(f.v) + '\n', str: f.s };
        case 'verb':
          this.follow = f.v;
          return { head: '=', str: f.fmt };
        case 'arr':
        case 'map':
        case 'set':
        case 'push':
          this.stack.push({ fs: f.v, i: 0 });
          return { head: AGG_TAG[f.t] + String(f.v.length) + '\n' };
      }
    }
  }
}

const AGG_TAG = { arr: '*', map: '%', set: '~', push: '>' } as const;
const AGG_OF: Record<string, 'arr' | 'map' | 'set' | 'push'> = { '*': 'arr', '%': 'map', '~': 'set', '>': 'push' };

/** Thrown on slices no encoder here wrote: a bug or a mixed-up transfer, never user input. */
export class SliceError extends Error {}

type Want =
  | { k: 'simple' | 'err' | 'bulk' | 'verbFmt' | 'arg' }
  | { k: 'dbl'; v: number }
  | { k: 'verbV'; fmt: string };

/**
 * Reassembles what an encoder wrote, slice by slice (each slice is decoded as it arrives and can
 * then be dropped). `batch` mode yields string[][], `frames` mode Frame[].
 */
export class SliceDecoder {
  private readonly batchOut: string[][] = [];
  private readonly framesOut: Frame[] = [];
  // The string being read: what it is for, and how many code units are still to come.
  private want: Want | null = null;
  private left = -1;
  private parts: string[] = [];
  // Batch mode: the command being read.
  private argv: string[] | null = null;
  private argc = 0;
  // Frames mode: open aggregates.
  private readonly stack: { t: 'arr' | 'map' | 'set' | 'push'; n: number; v: Frame[] }[] = [];

  constructor(readonly mode: 'batch' | 'frames') {}

  push(slice: Slice): void {
    const { h, s } = slice;
    if (typeof h !== 'string' || !Array.isArray(s)) throw new SliceError('not a slice');
    let p = 0;
    let q = 0;
    for (;;) {
      if (this.left >= 0) {
        if (this.left > 0) {
          if (q >= s.length) break;
          const piece = s[q++]!;
          if (typeof piece !== 'string' || piece.length > this.left) throw new SliceError('string piece overruns its length');
          this.parts.push(piece);
          this.left -= piece.length;
          if (this.left > 0) continue;
        }
        this.endString();
        continue;
      }
      if (p >= h.length) break;
      const tag = h[p++]!;
      if (this.want !== null) {
        if (tag !== '$') throw new SliceError(`expected a string, got ${tag}`);
        [this.left, p] = readNum(h, p);
        this.parts = [];
        continue;
      }
      if (this.mode === 'batch') {
        if (tag !== '*') throw new SliceError(`expected a command, got ${tag}`);
        let n: number;
        [n, p] = readNum(h, p);
        if (n === 0) this.batchOut.push([]);
        else {
          this.argv = [];
          this.argc = n;
          this.want = { k: 'arg' };
        }
        continue;
      }
      switch (tag) {
        case '+':
          this.want = { k: 'simple' };
          break;
        case '-':
          this.want = { k: 'err' };
          break;
        case 'b':
          this.want = { k: 'bulk' };
          break;
        case '=':
          this.want = { k: 'verbFmt' };
          break;
        case '_':
          this.emit({ t: 'nil' });
          break;
        case '!':
          this.emit({ t: 'nilarr' });
          break;
        case 't':
          this.emit({ t: 'bool', v: true });
          break;
        case 'f':
          this.emit({ t: 'bool', v: false });
          break;
        case ':':
        case '(':
        case ',':
        case ';': {
          let text: string;
          [text, p] = readLine(h, p);
          if (tag === '(') this.emit({ t: 'int', v: BigInt(text) });
          else if (tag === ':') this.emit({ t: 'int', v: Number(text) });
          else if (tag === ',') this.emit({ t: 'dbl', v: Number(text) });
          else this.want = { k: 'dbl', v: Number(text) };
          break;
        }
        default: {
          const t = AGG_OF[tag];
          if (!t) throw new SliceError(`unknown tag ${tag}`);
          let n: number;
          [n, p] = readNum(h, p);
          if (n === 0) this.emit({ t, v: [] });
          else this.stack.push({ t, n, v: [] });
        }
      }
    }
    if (p < h.length || q < s.length) throw new SliceError('slice has more than its structure announces');
  }

  /** True when the slices pushed so far end on a whole value. */
  get complete(): boolean {
    return this.left < 0 && this.want === null && this.stack.length === 0;
  }

  batch(): string[][] {
    if (this.mode !== 'batch' || !this.complete) throw new SliceError('incomplete batch');
    return this.batchOut;
  }

  frames(): Frame[] {
    if (this.mode !== 'frames' || !this.complete) throw new SliceError('incomplete replies');
    return this.framesOut;
  }

  private endString(): void {
    this.left = -1;
    // join() of the pieces makes one flat string.
    const s = this.parts.length === 0 ? '' : this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    const w = this.want!;
    this.want = null;
    switch (w.k) {
      case 'arg':
        this.argv!.push(s);
        if (this.argv!.length === this.argc) {
          this.batchOut.push(this.argv!);
          this.argv = null;
        } else this.want = w;
        return;
      case 'simple':
      case 'err':
      case 'bulk':
        return this.emit({ t: w.k, v: s });
      case 'dbl':
        return this.emit({ t: 'dbl', v: w.v, s });
      case 'verbFmt':
        this.want = { k: 'verbV', fmt: s };
        return;
      case 'verbV':
        return this.emit({ t: 'verb', fmt: w.fmt, v: s });
    }
  }

  private emit(f: Frame): void {
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top) {
        this.framesOut.push(f);
        return;
      }
      top.v.push(f);
      if (top.v.length < top.n) return;
      this.stack.pop();
      f = { t: top.t, v: top.v };
    }
  }
}

function readLine(h: string, p: number): [string, number] {
  const q = h.indexOf('\n', p);
  if (q < 0) throw new SliceError('header cut at a slice end');
  return [h.slice(p, q), q + 1];
}

function readNum(h: string, p: number): [number, number] {
  const [text, q] = readLine(h, p);
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(n)) throw new SliceError(`bad length ${text}`);
  return [n, q];
}
