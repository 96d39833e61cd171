// Redis's pqsort.c (NetBSD's Bentley–McIlroy quicksort that only sorts the partitions touching a
// rank range), ported step for step so a GEOSEARCH … COUNT orders equal distances as Redis does.

type Cmp<T> = (a: T, b: T) => number;

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** vecswap: swap n elements starting at i and j. */
function vecswap<T>(a: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(a, i + k, j + k);
}

function med3<T>(a: T[], i: number, j: number, k: number, cmp: Cmp<T>): number {
  return cmp(a[i]!, a[j]!) < 0
    ? cmp(a[j]!, a[k]!) < 0 ? j : cmp(a[i]!, a[k]!) < 0 ? k : i
    : cmp(a[j]!, a[k]!) > 0 ? j : cmp(a[i]!, a[k]!) < 0 ? i : k;
}

function insertion<T>(a: T[], base: number, n: number, cmp: Cmp<T>): void {
  for (let pm = base + 1; pm < base + n; pm++) {
    for (let pl = pm; pl > base && cmp(a[pl - 1]!, a[pl]!) > 0; pl--) swap(a, pl, pl - 1);
  }
}

/** _pqsort on a[base .. base+n), sorting only partitions that intersect ranks [lrange, rrange]. */
function pq<T>(a: T[], base: number, n: number, cmp: Cmp<T>, lrange: number, rrange: number): void {
  for (;;) {
    let swapCnt = false;
    if (n < 7) {
      insertion(a, base, n, cmp);
      return;
    }
    let pm = base + Math.floor(n / 2);
    if (n > 7) {
      let pl = base;
      let pn = base + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(a, pl, pl + d, pl + 2 * d, cmp);
        pm = med3(a, pm - d, pm, pm + d, cmp);
        pn = med3(a, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = med3(a, pl, pm, pn, cmp);
    }
    swap(a, base, pm);
    let pa = base + 1;
    let pb = pa;
    let pc = base + n - 1;
    let pd = pc;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(a[pb]!, a[base]!)) <= 0) {
        if (r === 0) {
          swapCnt = true;
          swap(a, pa, pb);
          pa++;
        }
        pb++;
      }
      while (pb <= pc && (r = cmp(a[pc]!, a[base]!)) >= 0) {
        if (r === 0) {
          swapCnt = true;
          swap(a, pc, pd);
          pd--;
        }
        pc--;
      }
      if (pb > pc) break;
      swap(a, pb, pc);
      swapCnt = true;
      pb++;
      pc--;
    }
    if (!swapCnt) {
      insertion(a, base, n, cmp);
      return;
    }
    const pn = base + n;
    let r = Math.min(pa - base, pb - pa);
    vecswap(a, base, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    vecswap(a, pb, pn - r, r);
    if ((r = pb - pa) > 1) {
      const l = base;
      const rr = base + r - 1;
      if (!((lrange < l && rrange < l) || (lrange > rr && rrange > rr))) pq(a, base, r, cmp, lrange, rrange);
    }
    if ((r = pd - pc) > 1) {
      base = pn - r;
      n = r;
      const l = base;
      const rr = base + r - 1;
      if (!((lrange < l && rrange < l) || (lrange > rr && rrange > rr))) continue;
    }
    return;
  }
}

/** pqsort(a, n, cmp, lrange, rrange): ranks lrange..rrange of `a` end up in sorted order. */
export function pqsort<T>(a: T[], cmp: Cmp<T>, lrange: number, rrange: number): void {
  pq(a, 0, a.length, cmp, lrange, rrange);
}
