// SHA-256 of a byte string, synchronous. Hand-written because crypto.subtle.digest is async in
// both Node and workerd, and ACL checks (AUTH, ACL SETUSER >password) run in the pure, sync layer.
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** SHA-256 of `s` (char codes 0–255 are the bytes), as 64 lowercase hex digits. */
export function sha256Hex(s: string): string {
  const n = s.length;
  // Message + 0x80 + zero padding + 64-bit big-endian bit length, in 64-byte blocks.
  const total = (((n + 9 + 63) >>> 6) << 6);
  const buf = new Uint8Array(total);
  for (let i = 0; i < n; i++) buf[i] = s.charCodeAt(i) & 0xff;
  buf[n] = 0x80;
  const bits = n * 8;
  const dv = new DataView(buf.buffer);
  dv.setUint32(total - 8, Math.floor(bits / 2 ** 32));
  dv.setUint32(total - 4, bits >>> 0);
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  for (let off = 0; off < total; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = dv.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!, b = w[i - 2]!;
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let [A, B, C, D, E, F, G, H] = h as unknown as number[];
    for (let i = 0; i < 64; i++) {
      const S1 = ((E! >>> 6) | (E! << 26)) ^ ((E! >>> 11) | (E! << 21)) ^ ((E! >>> 25) | (E! << 7));
      const ch = (E! & F!) ^ (~E! & G!);
      const t1 = (H! + S1 + ch + K[i]! + w[i]!) | 0;
      const S0 = ((A! >>> 2) | (A! << 30)) ^ ((A! >>> 13) | (A! << 19)) ^ ((A! >>> 22) | (A! << 10));
      const maj = (A! & B!) ^ (A! & C!) ^ (B! & C!);
      const t2 = (S0 + maj) | 0;
      H = G; G = F; F = E; E = (D! + t1) | 0; D = C; C = B; B = A; A = (t1 + t2) | 0;
    }
    h[0]! += A!; h[1]! += B!; h[2]! += C!; h[3]! += D!; h[4]! += E!; h[5]! += F!; h[6]! += G!; h[7]! += H!;
  }
  let out = '';
  for (let i = 0; i < 8; i++) out += h[i]!.toString(16).padStart(8, '0');
  return out;
}

/** Constant-time comparison of equal-length hex digests (no early exit: no timing leak). */
export function digestEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}
