// LZF (liblzf, as Redis compresses RDB strings): a byte-compatible decompressor and a compressor
// whose output liblzf's lzf_decompress accepts (the exact byte choices need not match Redis's).

const HLOG = 14;
const MAX_LIT = 32;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

const htab = new Int32Array(1 << HLOG);
let base = 1;
let outBuf = new Uint8Array(1024);

/**
 * Compress `s` (a byte string); null when the result would exceed `maxOut` bytes (Redis stores the
 * string uncompressed then) or the input is too short to gain anything.
 */
export function lzfCompress(s: string, maxOut: number): string | null {
  const n = s.length;
  if (n < 4) return null;
  // One table shared by every call (a fresh 64 KiB table per short string would dominate a
  // snapshot): entries store position + base, and anything below this call's base is stale.
  if (base + n + 1 > 0x7fffffff) {
    htab.fill(0);
    base = 1;
  }
  const b0 = base;
  base += n + 1;
  if (outBuf.length < maxOut + 40) outBuf = new Uint8Array(maxOut + 40);
  const out = outBuf;
  let op = 0;
  let litPos = op++;
  let lit = 0;
  let ip = 0;
  const hash = (p: number) => {
    const v = (s.charCodeAt(p) << 16) | (s.charCodeAt(p + 1) << 8) | s.charCodeAt(p + 2);
    return (Math.imul(v, 2654435761) >>> (32 - HLOG)) & ((1 << HLOG) - 1);
  };
  while (ip < n - 2) {
    if (op > maxOut) return null;
    const h = hash(ip);
    const slot = htab[h]!;
    const ref = slot >= b0 ? slot - b0 : -1;
    htab[h] = ip + b0;
    const off = ip - ref - 1;
    if (ref >= 0 && off < MAX_OFF && s.charCodeAt(ref) === s.charCodeAt(ip)
      && s.charCodeAt(ref + 1) === s.charCodeAt(ip + 1) && s.charCodeAt(ref + 2) === s.charCodeAt(ip + 2)) {
      const maxLen = Math.min(MAX_REF, n - ip);
      let len = 3;
      while (len < maxLen && s.charCodeAt(ref + len) === s.charCodeAt(ip + len)) len++;
      // Close the literal run (or drop its unused control byte).
      if (lit) out[litPos] = lit - 1;
      else op--;
      const l = len - 2;
      if (l < 7) out[op++] = (off >> 8) + (l << 5);
      else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = l - 7;
      }
      out[op++] = off & 0xff;
      litPos = op++;
      lit = 0;
      // Index the positions the match covered, so later repeats can find them.
      const end = ip + len;
      for (let p = ip + 1; p < end && p < n - 2; p++) htab[hash(p)] = p + b0;
      ip = end;
      continue;
    }
    out[op++] = s.charCodeAt(ip++);
    if (++lit === MAX_LIT) {
      out[litPos] = MAX_LIT - 1;
      litPos = op++;
      lit = 0;
    }
  }
  while (ip < n) {
    out[op++] = s.charCodeAt(ip++);
    if (++lit === MAX_LIT) {
      out[litPos] = MAX_LIT - 1;
      litPos = op++;
      lit = 0;
    }
  }
  if (lit) out[litPos] = lit - 1;
  else op--;
  if (op > maxOut) return null;
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
