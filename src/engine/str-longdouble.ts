// x87 80-bit long double arithmetic, as Redis on x86-64 computes INCRBYFLOAT/HINCRBYFLOAT:
// strtold parsing, one rounded addition, and "%.17Lf" printing. Emulated exactly with BigInt,
// because doubles differ visibly (0.1+0.1+0.1 prints 0.3 in Redis, 0.30000000000000004 in JS).

/** A finite long double is (-1)^neg · m · 2^e with m < 2^64; `inf` marks ±infinity. */
export interface LD {
  neg: boolean;
  m: bigint;
  e: number;
  inf?: boolean;
}

const MANT = 64;
/** Exponent of the smallest subnormal, 2^-16445: no value has a lower `e`. */
const EMIN = -16445;
/** Values at or above 2^16384 overflow to infinity. */
const EMAX_BITS = 16384;
/** Redis's MAX_LONG_DOUBLE_CHARS: longer inputs are refused before parsing. */
const MAX_CHARS = 5 * 1024;

const ZERO: LD = { neg: false, m: 0n, e: 0 };

function bitLen(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Round n · 2^e (with `sticky`: a nonzero remainder lies below n's last bit) to nearest-even. */
function round(neg: boolean, n: bigint, e: number, sticky = false): LD {
  if (n === 0n) return { neg, m: 0n, e: 0 };
  const bl = bitLen(n);
  let shift = Math.max(bl - MANT, EMIN - e);
  if (shift > 0) {
    const s = BigInt(shift);
    let q = n >> s;
    const rem = n - (q << s);
    const half = 1n << (s - 1n);
    if (rem > half || (rem === half && (sticky || (q & 1n) === 1n))) q++;
    if (q >> BigInt(MANT) !== 0n) {
      q >>= 1n;
      shift++;
    }
    n = q;
    e += shift;
  }
  if (n === 0n) return { neg, m: 0n, e: 0 };
  if (bitLen(n) + e > EMAX_BITS) return { neg, m: 0n, e: 0, inf: true };
  return { neg, m: n, e };
}

/**
 * Redis's string2ld: strtold on the whole string; leading space, trailing garbage, NaN and
 * overflow/underflow to zero are refused (null). Infinity is accepted.
 */
export function parseLD(s: string): LD | null {
  if (s.length === 0 || s.length >= MAX_CHARS) return null;
  // strtold would stop at a NUL byte; Redis then sees unparsed bytes and refuses the string.
  if (s.indexOf('\0') >= 0) return null;
  let neg = false;
  let i = 0;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    i = 1;
  }
  const body = s.slice(i).toLowerCase();
  if (body === 'inf' || body === 'infinity') return { neg, m: 0n, e: 0, inf: true };
  let m: RegExpExecArray | null;
  if ((m = /^0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/.exec(body)) && (m[1]! + (m[2] ?? '')).length > 0) {
    const digits = m[1]! + (m[2] ?? '');
    const p = m[3] === undefined ? 0 : clampExp(m[3]);
    const n = BigInt('0x' + digits);
    if (n === 0n) return { neg, m: 0n, e: 0 };
    const e = p - 4 * (m[2] ?? '').length;
    // Far outside the range: decide without building huge numbers.
    if (e + bitLen(n) > EMAX_BITS + 1) return null;
    if (e + bitLen(n) < EMIN - 2) return null;
    return finish(round(neg, n, e));
  }
  if (!(m = /^(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/.exec(body))) return null;
  const intPart = m[1]!;
  const frac = m[2] ?? '';
  if (intPart.length + frac.length === 0) return null;
  let digits = (intPart + frac).replace(/^0+/, '');
  let k = (m[3] === undefined ? 0 : clampExp(m[3])) - frac.length;
  if (digits.length === 0) return { neg, m: 0n, e: 0 };
  const trimmed = digits.replace(/0+$/, '');
  k += digits.length - trimmed.length;
  digits = trimmed;
  const mag = k + digits.length; // value lies in [10^(mag-1), 10^mag)
  if (mag - 1 >= 4933) return null; // ≥ 1e4933 > LDBL_MAX: ERANGE with HUGE_VAL
  if (mag < -4952) return null; // < 1e-4952, below half the least subnormal: rounds to 0
  const d = BigInt(digits);
  if (k >= 0) return finish(round(neg, d * 10n ** BigInt(k), 0));
  const p = 10n ** BigInt(-k);
  const s2 = Math.max(0, MANT + 2 + bitLen(p) - bitLen(d));
  const num = d << BigInt(s2);
  const q = num / p;
  return finish(round(neg, q, -s2, q * p !== num));
}

/** Overflow (∞ from a finite string) and underflow to zero are ERANGE: Redis refuses both. */
function finish(v: LD): LD | null {
  if (v.inf || v.m === 0n) return null;
  return v;
}

/** Exponent digits can be absurdly long; anything past ±10^6 behaves like ±10^6. */
function clampExp(t: string): number {
  const v = Number(t);
  return Math.max(-1e6, Math.min(1e6, v));
}

/** a + b rounded to long double; null when the sum is NaN (∞ − ∞). */
export function addLD(a: LD, b: LD): LD | null {
  if (a.inf || b.inf) {
    if (a.inf && b.inf && a.neg !== b.neg) return null;
    return a.inf ? a : b;
  }
  if (a.m === 0n) return b.m === 0n ? { neg: a.neg && b.neg, m: 0n, e: 0 } : b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const av = (a.m << BigInt(a.e - e)) * (a.neg ? -1n : 1n);
  const bv = (b.m << BigInt(b.e - e)) * (b.neg ? -1n : 1n);
  const sum = av + bv;
  if (sum === 0n) return ZERO;
  return round(sum < 0n, sum < 0n ? -sum : sum, e);
}

/** From a JS integer-valued bigint (an int-encoded string value): exact up to 2^64. */
export function ldFromBigInt(v: bigint): LD {
  return v < 0n ? round(true, -v, 0) : round(false, v, 0);
}

/**
 * Redis's ld2string(LD_STR_HUMAN): printf("%.17Lf") with trailing zeros (and a bare '.')
 * removed, "-0" printed as "0". glibc rounds the exact binary value half-to-even.
 */
export function fmtLDHuman(v: LD): string {
  if (v.inf) return v.neg ? '-inf' : 'inf';
  let s: string;
  if (v.e >= 0) {
    s = (v.m << BigInt(v.e)).toString();
  } else {
    const sh = BigInt(-v.e);
    const scaled = v.m * 10n ** 17n;
    let q = scaled >> sh;
    const rem = scaled - (q << sh);
    const half = 1n << (sh - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q++;
    const ip = (q / 10n ** 17n).toString();
    const fp = (q % 10n ** 17n).toString().padStart(17, '0').replace(/0+$/, '');
    s = fp.length ? `${ip}.${fp}` : ip;
  }
  if (v.neg && s !== '0') s = '-' + s;
  return s;
}
