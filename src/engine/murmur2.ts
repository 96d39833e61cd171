// MurmurHash64A (Austin Appleby), the hash Redis's HyperLogLog uses, in 32-bit halves: BigInt
// arithmetic would be several times slower on the PFADD hot path.

// m = 0xc6a4a7935bd1e995 as two 32-bit halves.
const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;

/** Result registers: the low 64 bits of the last product (hi, lo), kept module-level to avoid allocation. */
let rHi = 0;
let rLo = 0;

/** (aHi:aLo) * (bHi:bLo) mod 2^64 into rHi:rLo. */
function mul64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  // aLo * bLo needs the full 64-bit product: split into 16-bit limbs so every partial is exact.
  const a0 = aLo & 0xffff, a1 = aLo >>> 16;
  const b0 = bLo & 0xffff, b1 = bLo >>> 16;
  const mid = a0 * b1 + a1 * b0; // < 2^33
  const low = a0 * b0 + (mid % 65536) * 65536; // < 2^33
  const carry = Math.floor(low / 4294967296);
  rLo = low >>> 0;
  rHi = (a1 * b1 + Math.floor(mid / 65536) + carry + Math.imul(aHi, bLo) + Math.imul(aLo, bHi)) >>> 0;
}

/** The 64-bit hash of byte string `s` (char code = byte) as [hi, lo] unsigned 32-bit halves. */
export function murmur64a(s: string, seed: number): [number, number] {
  const len = s.length;
  // h = seed ^ (len * m)
  mul64(0, len >>> 0, M_HI, M_LO);
  let hHi = rHi;
  let hLo = (rLo ^ seed) >>> 0;
  const blocks = len - (len & 7);
  let i = 0;
  for (; i < blocks; i += 8) {
    // Little-endian 64-bit load.
    let kLo = (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
    let kHi = (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)) >>> 0;
    mul64(kHi, kLo, M_HI, M_LO);
    kHi = rHi; kLo = rLo;
    // k ^= k >> 47
    kLo = (kLo ^ (kHi >>> 15)) >>> 0;
    mul64(kHi, kLo, M_HI, M_LO);
    hHi = (hHi ^ rHi) >>> 0;
    hLo = (hLo ^ rLo) >>> 0;
    mul64(hHi, hLo, M_HI, M_LO);
    hHi = rHi; hLo = rLo;
  }
  const rest = len & 7;
  if (rest > 0) {
    // h ^= data[j] << (8 * j) for the tail bytes, then h *= m.
    for (let j = rest - 1; j >= 0; j--) {
      const b = s.charCodeAt(i + j);
      if (j >= 4) hHi = (hHi ^ (b << (8 * (j - 4)))) >>> 0;
      else hLo = (hLo ^ (b << (8 * j))) >>> 0;
    }
    mul64(hHi, hLo, M_HI, M_LO);
    hHi = rHi; hLo = rLo;
  }
  // h ^= h >> 47; h *= m; h ^= h >> 47
  hLo = (hLo ^ (hHi >>> 15)) >>> 0;
  mul64(hHi, hLo, M_HI, M_LO);
  hHi = rHi; hLo = rLo;
  hLo = (hLo ^ (hHi >>> 15)) >>> 0;
  return [hHi, hLo];
}

/** Reference implementation in BigInt (tests compare the fast one with it). */
export function murmur64aBig(s: string, seed: number): bigint {
  const MASK = (1n << 64n) - 1n;
  const m = 0xc6a4a7935bd1e995n;
  const len = s.length;
  let h = (BigInt(seed) ^ ((BigInt(len) * m) & MASK)) & MASK;
  const blocks = len - (len & 7);
  let i = 0;
  for (; i < blocks; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(s.charCodeAt(i + j));
    k = (k * m) & MASK;
    k ^= k >> 47n;
    k = (k * m) & MASK;
    h ^= k;
    h = (h * m) & MASK;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) h ^= BigInt(s.charCodeAt(i + j)) << BigInt(8 * j);
    h = (h * m) & MASK;
  }
  h ^= h >> 47n;
  h = (h * m) & MASK;
  h ^= h >> 47n;
  return h;
}
