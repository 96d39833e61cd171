// LZF (liblzf, as Redis compresses RDB strings): a byte-compatible decompressor, and a compressor
// that makes liblzf's byte choices as Redis builds it (HLOG 16, VERY_FAST), so DUMP payloads and
// RDB files hold the same bytes as Redis's.

const HLOG = 16;
const HMASK = (1 << HLOG) - 1;
const MAX_LIT = 32;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

const htab = new Int32Array(1 << HLOG);
let base = 1;
let outBuf = new Uint8Array(1024);

/** liblzf's IDX of its rolling 32-bit hash (the last four bytes seen). */
const idx = (h: number) => ((h >>> (24 - HLOG)) - Math.imul(h, 5)) & HMASK;

/**
 * lzf_compress(s, n, out, maxOut): null where liblzf returns 0 (the output would not fit in
 * `maxOut` bytes, Redis then stores the string plain). liblzf's table starts uninitialised
 * (INIT_HTAB 0); a clean table is what Redis's output is whenever stale entries do not happen to
 * point into the new input.
 */
export function lzfCompress(s: string, maxOut: number): string | null {
  const n = s.length;
  if (n === 0 || maxOut <= 0) return null;
  // One table shared by every call (a fresh 256 KiB table per short string would dominate a
  // snapshot): entries store position + base, and anything below this call's base is stale.
  if (base + n + 1 > 0x7fffffff) {
    htab.fill(0);
    base = 1;
  }
  const b0 = base;
  base += n + 1;
  if (outBuf.length < maxOut + 40) outBuf = new Uint8Array(maxOut + 40);
  const out = outBuf;
  const at = (p: number) => s.charCodeAt(p);
  let op = 1; // the first literal run's control byte
  let lit = 0;
  let ip = 0;
  let h = n > 1 ? (at(0) << 8) | at(1) : at(0) << 8;
  while (ip < n - 2) {
    h = ((h << 8) | at(ip + 2)) >>> 0;
    const slot = idx(h);
    const e = htab[slot]!;
    const ref = e >= b0 ? e - b0 : -1;
    htab[slot] = ip + b0;
    const off = ip - ref - 1;
    if (ref > 0 && off < MAX_OFF && at(ref) === at(ip) && at(ref + 1) === at(ip + 1) && at(ref + 2) === at(ip + 2)) {
      let len = 2;
      const maxlen = Math.min(n - ip - len, MAX_REF);
      if (op - (lit ? 0 : 1) + 3 + 1 >= maxOut) return null;
      out[op - lit - 1] = lit - 1; // close the literal run
      if (!lit) op--; // …or drop its unused control byte
      // liblzf's unrolled first sixteen steps may run one or two bytes past maxlen: kept.
      scan: {
        if (maxlen > 16) {
          for (let k = 0; k < 16; k++) {
            len++;
            if (at(ref + len) !== at(ip + len)) break scan;
          }
        }
        do len++;
        while (len < maxlen && at(ref + len) === at(ip + len));
      }
      len -= 2;
      ip++;
      if (len < 7) out[op++] = (off >> 8) + (len << 5);
      else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++;
      ip += len + 1;
      if (ip >= n - 2) break;
      // VERY_FAST: index the last two positions the match covered.
      ip -= 2;
      h = (at(ip) << 8) | at(ip + 1);
      h = ((h << 8) | at(ip + 2)) >>> 0;
      htab[idx(h)] = ip + b0;
      ip++;
      h = ((h << 8) | at(ip + 2)) >>> 0;
      htab[idx(h)] = ip + b0;
      ip++;
      continue;
    }
    if (op >= maxOut) return null;
    lit++;
    out[op++] = at(ip++);
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  if (op + 3 > maxOut) return null;
  while (ip < n) {
    lit++;
    out[op++] = at(ip++);
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (!lit) op--;
  let r = '';
  for (let i = 0; i < op; i += 8192) r += String.fromCharCode.apply(null, out.subarray(i, Math.min(op, i + 8192)) as unknown as number[]);
  return r;
}

/** Decompress into exactly `outLen` bytes; null when the data is corrupt or has another length. */
export function lzfDecompress(inp: Uint8Array, outLen: number): Uint8Array | null {
  const out = new Uint8Array(outLen);
  let ip = 0;
  let op = 0;
  const n = inp.length;
  while (ip < n) {
    const ctrl = inp[ip++]!;
    if (ctrl < 32) {
      const len = ctrl + 1;
      if (op + len > outLen || ip + len > n) return null;
      out.set(inp.subarray(ip, ip + len), op);
      ip += len;
      op += len;
    } else {
      let len = ctrl >> 5;
      if (len === 7) {
        if (ip >= n) return null;
        len += inp[ip++]!;
      }
      if (ip >= n) return null;
      const ref = op - ((ctrl & 0x1f) << 8) - 1 - inp[ip++]!;
      len += 2;
      if (op + len > outLen || ref < 0) return null;
      // Byte by byte: a match may overlap its own output (run-length style).
      for (let k = 0; k < len; k++) out[op++] = out[ref + k]!;
    }
  }
  return op === outLen ? out : null;
}
