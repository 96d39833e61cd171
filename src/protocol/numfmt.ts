// Redis's number formatting: %.17g for doubles on the wire (Redis 7.0), and the "human" long
// double form INCRBYFLOAT/HINCRBYFLOAT store. Hand-written: printf semantics are not in JS.

/** C's printf("%.17g", x), as Redis 7.0's addReplyDouble uses it (inf → "inf"). */
export function fmtG17(x: number): string {
  return fmtG(x, 17);
}

/** C's printf("%.<p>g", x). */
export function fmtG(x: number, p: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Number.isNaN(x)) return 'nan';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const neg = x < 0;
  // toExponential is correctly rounded but breaks exact ties away from zero; glibc's printf
  // breaks them to even (1 + 2^-17 is 1.00000762939453125: %.17g gives …312, not …313).
  const e = x.toExponential(p - 1);
  const ei = e.indexOf('e');
  let exp = parseInt(e.slice(ei + 1), 10);
  let digits = e.slice(neg ? 1 : 0, ei).replace('.', '');
  const tie = tieDigits(x, p);
  if (tie) ({ digits, exp } = tie);
  let body: string;
  if (exp >= -4 && exp < p) {
    body = exp >= 0 ? digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1) : '0.' + '0'.repeat(-exp - 1) + digits;
    body = stripZeros(body);
  } else {
    const ae = Math.abs(exp);
    body = `${stripZeros(digits[0] + '.' + digits.slice(1))}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
  }
  return neg ? '-' + body : body;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** |x| as odd m × 2^e2 (x finite, non-zero). */
function decompose(x: number): { m: number; e2: number } {
  f64[0] = x;
  const hi = u32[LITTLE ? 1 : 0]!;
  const lo = u32[LITTLE ? 0 : 1]!;
  const be = (hi >>> 20) & 0x7ff;
  let m = (hi & 0xfffff) * 4294967296 + lo;
  let e2: number;
  if (be === 0) e2 = -1074;
  else {
    m += 4503599627370496; // the implicit 2^52
    e2 = be - 1075;
  }
  while (m % 2 === 0) {
    m /= 2;
    e2++;
  }
  return { m, e2 };
}

/** |x| exactly, as the decimal integer `d` with `scale` digits after the point. */
function exactDecimal(x: number): { d: bigint; scale: number } {
  const { m, e2 } = decompose(x);
  if (e2 >= 0) return { d: BigInt(m) << BigInt(e2), scale: 0 };
  return { d: BigInt(m) * 5n ** BigInt(-e2), scale: -e2 };
}

/** When |x| is exactly halfway between two p-digit decimals: the p digits and exponent, rounded to even. */
function tieDigits(x: number, p: number): { digits: string; exp: number } | null {
  const { m, e2 } = decompose(x);
  // An odd m × 2^e2 with e2 < 0 has exactly -e2 digits after the point, the last one a 5: a tie
  // needs exactly p + 1 significant digits. Integers can't tie (odd parts above 2^53 would be needed).
  if (e2 >= 0) return null;
  const approxExp = Math.floor(Math.log10(Math.abs(x)));
  const sig = approxExp + 1 - e2;
  if (sig < p || sig > p + 2) return null; // cheap filter; log10 may be off by one
  const d = (BigInt(m) * 5n ** BigInt(-e2)).toString();
  if (d.length !== p + 1) return null;
  let q = BigInt(d.slice(0, p));
  if (q % 2n === 1n) q += 1n;
  let exp = d.length - 1 + e2; // exponent of the exact value
  let digits = q.toString();
  if (digits.length > p) {
    digits = digits.slice(0, p);
    exp++;
  }
  return { digits, exp };
}

function stripZeros(s: string): string {
  if (s.indexOf('.') < 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/**
 * Redis's LD_STR_HUMAN form (INCRBYFLOAT's stored value): "%.17Lf" with trailing zeros cut,
 * never an exponent. Redis computes in long double; we compute in double: the shortest
 * decimal that round-trips when it has at most 17 decimals (e.g. 10.5 + 0.1 → "10.6"), else
 * the double rounded to 17 decimals. Values whose long-double expansion shows noise in the
 * 17 decimals (|x| ≥ 128 with a fraction, e.g. 1000.1 → "1000.09999999999999998") differ.
 */
export function fmtHuman(x: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return '0';
  let s = String(x);
  const e = s.indexOf('e');
  if (e < 0) {
    const dot = s.indexOf('.');
    if (dot < 0 || s.length - dot - 1 <= 17) return s;
  } else if (Math.abs(x) >= 1) {
    return BigInt(x).toString(); // integral at this magnitude
  }
  // More than 17 decimals: round the exact value to 17, ties to even, as printf does.
  const { d, scale } = exactDecimal(x);
  let q = d;
  if (scale > 17) {
    const div = 10n ** BigInt(scale - 17);
    q = d / div;
    const r = d % div;
    const half = div / 2n;
    if (r > half || (r === half && q % 2n === 1n)) q += 1n;
  } else q = d * 10n ** BigInt(17 - scale);
  if (q === 0n) return '0';
  const t = q.toString().padStart(18, '0');
  s = stripZeros(t.slice(0, t.length - 17) + '.' + t.slice(t.length - 17));
  return x < 0 ? '-' + s : s;
}

/** Redis's string2ll: a strict decimal int64, no spaces, no '+', no leading zeros. */
export function parseI64(s: string): bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  if (n === 1 && s === '0') return 0n;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    i = 1;
    if (n === 1) return null;
  }
  if (s.charCodeAt(i) < 49 || s.charCodeAt(i) > 57) return null;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const v = BigInt(s);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return null;
  return v;
}

/** Like parseI64 but as a JS number when it fits 2^53 safely, else null. */
export function parseInt53(s: string): number | null {
  if (s.length < 16) {
    const v = parseI64(s);
    return v === null ? null : Number(v);
  }
  const v = parseI64(s);
  if (v === null || v > 9007199254740991n || v < -9007199254740991n) return null;
  return Number(v);
}

/**
 * Redis's strtod-based float parse (getDoubleFromObject / string2ld): no spaces, no NaN, "inf"
 * and hex floats allowed; a finite literal that overflows to ±inf or underflows to 0 is refused
 * (strtod's ERANGE), as ZADD's "1e400" and "1e-400" are.
 */
export function parseFloatStrict(s: string): number | null {
  if (s.length === 0 || s.length > 5000) return null;
  const low = s.toLowerCase();
  if (low === 'inf' || low === '+inf' || low === 'infinity' || low === '+infinity') return Infinity;
  if (low === '-inf' || low === '-infinity') return -Infinity;
  let v: number;
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) v = Number(s);
  else {
    const h = /^([+-]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/i.exec(s);
    if (!h || (h[2]!.length === 0 && (h[3] ?? '').length === 0)) return null;
    const frac = h[3] ?? '';
    const mant = BigInt('0x' + (h[2]! + frac || '0'));
    const pexp = h[4] === undefined ? 0 : Math.max(-5000, Math.min(5000, parseInt(h[4], 10)));
    v = Number(mant) * 2 ** (pexp - 4 * frac.length);
    if (h[1] === '-') v = -v;
    if (mant === 0n) return v;
    if (v === 0 || !Number.isFinite(v)) return null; // ERANGE
  }
  if (!Number.isFinite(v)) return null;
  if (v === 0 && /[1-9]/.test(s.replace(/e.*$/i, ''))) return null;
  return v;
}

// ---- x87 long double, for INCRBYFLOAT / HINCRBYFLOAT -------------------------------------
// Redis parses both operands with strtold, adds in long double (64-bit mantissa) and prints
// "%.17Lf": 1000.1 becomes "1000.09999999999999998" and 0.1 + 0.2 is "0.3", which no double
// computation reproduces. So these helpers emulate it exactly with BigInt.

/** |value| = m × 2^e with m < 2^64 (normalised to ≥ 2^63 unless subnormal); inf as m = -1n. */
interface LD {
  neg: boolean;
  m: bigint;
  e: number;
}
const LD_MIN_E = -16445; // 2^-16445: the smallest subnormal
const LD_MAX_E = 16384 - 64; // m × 2^e < 2^16384

/** Round the exact non-negative num / den × 2^e2 to a long double (null = overflow to inf). */
function roundLD(neg: boolean, num: bigint, den: bigint, e2: number): LD | null {
  if (num === 0n) return { neg, m: 0n, e: 0 };
  let e = num.toString(2).length - den.toString(2).length - 64 + e2;
  for (;;) {
    if (e < LD_MIN_E) e = LD_MIN_E;
    const sh = e - e2; // value / 2^e = num / (den × 2^sh)
    const n = sh < 0 ? num << BigInt(-sh) : num;
    const d = sh > 0 ? den << BigInt(sh) : den;
    let q = n / d;
    if (q >= 1n << 64n) {
      e++;
      continue;
    }
    if (q < 1n << 63n && e > LD_MIN_E) {
      e--;
      continue;
    }
    const r2 = (n % d) * 2n;
    if (r2 > d || (r2 === d && (q & 1n) === 1n)) q += 1n;
    if (q === 1n << 64n) {
      q >>= 1n;
      e++;
    }
    if (e > LD_MAX_E) return null;
    return { neg, m: q, e };
  }
}

/** strtold as Redis's string2ld uses it: null when invalid or out of range (ERANGE). */
function parseLD(s: string): LD | null {
  if (s.length === 0 || s.length >= 5 * 1024) return null;
  const low = s.toLowerCase();
  if (low === 'inf' || low === '+inf' || low === 'infinity' || low === '+infinity') return { neg: false, m: -1n, e: 0 };
  if (low === '-inf' || low === '-infinity') return { neg: true, m: -1n, e: 0 };
  let r: LD | null;
  const dm = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(s);
  if (dm && (dm[2]!.length > 0 || (dm[3] ?? '').length > 0)) {
    const frac = dm[3] ?? '';
    const d = BigInt((dm[2]! + frac) || '0');
    const k = (dm[4] === undefined ? 0 : Math.max(-1e6, Math.min(1e6, Number(dm[4])))) - frac.length;
    if (d === 0n) return { neg: dm[1] === '-', m: 0n, e: 0 };
    if (k > 5000) return null; // overflow
    if (k < -(5200 + s.length)) return null; // underflows to zero
    r = k >= 0 ? roundLD(dm[1] === '-', d * 10n ** BigInt(k), 1n, 0) : roundLD(dm[1] === '-', d, 10n ** BigInt(-k), 0);
  } else {
    const h = /^([+-]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/i.exec(s);
    if (!h || (h[2]!.length === 0 && (h[3] ?? '').length === 0)) return null;
    const frac = h[3] ?? '';
    const d = BigInt('0x' + (h[2]! + frac || '0'));
    if (d === 0n) return { neg: h[1] === '-', m: 0n, e: 0 };
    const p = (h[4] === undefined ? 0 : Math.max(-1e6, Math.min(1e6, Number(h[4])))) - 4 * frac.length;
    if (p > 20000) return null;
    if (p < -20000 - 4 * s.length) return null;
    r = roundLD(h[1] === '-', d, 1n, p);
  }
  if (r === null || r.m === 0n) return null; // ERANGE: ±HUGE_VALL or an underflow to zero
  return r;
}

/** "%.17Lf" without trailing zeros (LD_STR_HUMAN). */
function fmtLDHuman(x: LD): string {
  if (x.m === 0n) return '0';
  let s: string;
  if (x.e >= 0) s = (x.m << BigInt(x.e)).toString();
  else {
    const scale = -x.e;
    const d = x.m * 5n ** BigInt(scale); // |x| = d / 10^scale
    let q: bigint;
    if (scale > 17) {
      const div = 10n ** BigInt(scale - 17);
      q = d / div;
      const r2 = (d % div) * 2n;
      if (r2 > div || (r2 === div && (q & 1n) === 1n)) q += 1n;
    } else q = d * 10n ** BigInt(17 - scale);
    const t = q.toString().padStart(18, '0');
    s = stripZeros(t.slice(0, t.length - 17) + '.' + t.slice(t.length - 17));
  }
  return x.neg && s !== '0' ? '-' + s : s;
}

export const LD_NAN_OR_INF = 'nan-or-inf' as const;

/**
 * INCRBYFLOAT's arithmetic exactly as Redis does it in long double: `cur` + `incr` as the stored
 * string. null when either operand is not a valid float ("ERR value is not a valid float");
 * LD_NAN_OR_INF when the sum is not finite ("ERR increment would produce NaN or Infinity").
 */
export function incrByFloatLD(cur: string, incr: string): string | null | typeof LD_NAN_OR_INF {
  const a = parseLD(cur);
  const b = parseLD(incr);
  if (a === null || b === null) return null;
  if (a.m < 0n || b.m < 0n) return LD_NAN_OR_INF;
  if (a.m === 0n) return fmtLDHuman(b);
  if (b.m === 0n) return fmtLDHuman(a);
  const e = Math.min(a.e, b.e);
  const va = (a.neg ? -a.m : a.m) << BigInt(a.e - e);
  const vb = (b.neg ? -b.m : b.m) << BigInt(b.e - e);
  const sum = va + vb;
  if (sum === 0n) return '0';
  const r = roundLD(sum < 0n, sum < 0n ? -sum : sum, 1n, e);
  if (r === null) return LD_NAN_OR_INF;
  return fmtLDHuman(r);
}
