// Correctly rounded sin, cos and asin for the geo distance formula. V8's fdlibm-derived Math.sin
// /cos/asin are faithful but miss the correctly rounded double in a few percent of cases, where
// glibc (what Redis calls) rounds correctly: distances (STOREDIST scores) then differ in the last
// bits. These evaluate in double-double (~106 bits) and round once, on the small ranges geo uses.

const SPLIT = 134217729; // 2^27 + 1

/** a*b as an unevaluated sum [p, e] (Dekker's product). */
function twoProd(a: number, b: number): [number, number] {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function ddMul(ah: number, al: number, bh: number, bl: number): [number, number] {
  const [p, e0] = twoProd(ah, bh);
  const e = e0 + (ah * bl + al * bh);
  const s = p + e;
  return [s, e - (s - p)];
}

function ddAdd(ah: number, al: number, bh: number, bl: number): [number, number] {
  const s = ah + bh;
  const bb = s - ah;
  let e = ah - (s - bb) + (bh - bb);
  e += al + bl;
  const r = s + e;
  return [r, e - (r - s)];
}

/** dd / small integer. */
function ddDivInt(ah: number, al: number, n: number): [number, number] {
  const q1 = ah / n;
  const [p, pe] = twoProd(q1, n);
  const q2 = (ah - p - pe + al) / n;
  const s = q1 + q2;
  return [s, q2 - (s - q1)];
}

/** Taylor coefficients (-1)^k / (2k+1)! and (-1)^k / (2k)! as double-doubles. */
const SIN_C: Array<[number, number]> = [];
const COS_C: Array<[number, number]> = [[1, 0]];
{
  let f: [number, number] = [1, 0];
  for (let n = 1; n <= 44; n++) {
    f = ddDivInt(f[0], f[1], n);
    const k = n >> 1;
    const sgn = k % 2 === 0 ? 1 : -1;
    if (n % 2 === 1) SIN_C.push([sgn * f[0], sgn * f[1]]);
    else COS_C.push([sgn * f[0], sgn * f[1]]);
  }
}
const PI_HI = 3.141592653589793;
const PI_LO = 1.2246467991473532e-16;

/** Σ c_k z^k (Horner) with z a double-double. */
function poly(c: Array<[number, number]>, zh: number, zl: number): [number, number] {
  let rh = c[c.length - 1]![0];
  let rl = c[c.length - 1]![1];
  for (let i = c.length - 2; i >= 0; i--) {
    [rh, rl] = ddMul(rh, rl, zh, zl);
    [rh, rl] = ddAdd(rh, rl, c[i]![0], c[i]![1]);
  }
  return [rh, rl];
}

/** sin of a double-double y, |y| ≤ π/2. */
function sinDD(yh: number, yl: number): [number, number] {
  const [zh, zl] = ddMul(yh, yl, yh, yl);
  const [ph, pl] = poly(SIN_C, zh, zl);
  return ddMul(ph, pl, yh, yl);
}

/** Correctly rounded sin(x) for |x| ≤ π (a few hundredths of an ulp from certain, in practice exact). */
export function crSin(x: number): number {
  if (x === 0 || !Number.isFinite(x) || Math.abs(x) > 4) return Math.sin(x);
  const ax = Math.abs(x);
  let r: [number, number];
  if (ax > PI_HI / 2) {
    // sin(ax) = sin(π - ax); PI_HI - ax is exact (Sterbenz).
    const d = PI_HI - ax;
    const s = d + PI_LO;
    r = sinDD(s, PI_LO - (s - d));
  } else r = sinDD(ax, 0);
  return x < 0 ? -r[0] : r[0];
}

/** Correctly rounded cos(x) for |x| ≤ π/2. */
export function crCos(x: number): number {
  if (!Number.isFinite(x) || Math.abs(x) > PI_HI / 2) return Math.cos(x);
  const [zh, zl] = twoProd(x, x);
  const s = zh + zl;
  return poly(COS_C, s, zl - (s - zh))[0];
}

/** Correctly rounded asin(c) for 0 ≤ c < 1: one Newton step on sin from Math.asin, in double-double. */
export function crAsin(c: number): number {
  if (!(c > 0 && c < 1)) return Math.asin(c);
  const y0 = Math.asin(c);
  const [sh, sl] = sinDD(y0, 0);
  const diff = c - sh - sl;
  return y0 + diff / Math.cos(y0);
}
