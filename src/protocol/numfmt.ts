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

/** Redis's string2l (tryObjectEncoding's test): a canonical decimal that fits a signed 64-bit long. */
export function isStrictLong(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  if (n === 1 && s === '0') return true;
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (i === n) return false;
  const d0 = s.charCodeAt(i);
  if (d0 < 49 || d0 > 57) return false;
  for (i++; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  if (n < 19) return true;
  const b = BigInt(s);
  return b <= 9223372036854775807n && b >= -9223372036854775808n;
}
