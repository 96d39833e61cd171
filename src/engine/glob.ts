// Redis's glob matcher (util.c stringmatchlen, 7.0.15 with its recursion limit), byte for byte,
// plus a compiler that picks a fast path for the common pattern shapes (all, exact, prefix).

/** C's `char` is signed on the platforms Redis ships on: ranges compare bytes ≥ 0x80 as negative. */
function sc(c: number): number {
  return c >= 128 ? c - 256 : c;
}

/** C's tolower in the "C" locale (Redis never sets LC_CTYPE): only A–Z change. */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

interface State {
  skipLongerMatches: boolean;
}

/**
 * One level of stringmatchlen_impl. `p`/`s` are indexes, `pl`/`sl` remaining lengths. Reading
 * past the pattern's end yields NaN, which like C's NUL terminator equals no pattern byte.
 */
function impl(pat: string, p: number, pl: number, str: string, s: number, sl: number, nocase: boolean, st: State, nesting: number): boolean {
  // Redis's protection against abusive patterns (deep '*' recursion).
  if (nesting > 1000) return false;
  while (pl > 0 && sl > 0) {
    const pc = pat.charCodeAt(p);
    switch (pc) {
      case 42: /* '*' */ {
        while (pl > 0 && pat.charCodeAt(p + 1) === 42) {
          p++;
          pl--;
        }
        if (pl === 1) return true;
        while (sl > 0) {
          if (impl(pat, p + 1, pl - 1, str, s, sl, nocase, st, nesting + 1)) return true;
          if (st.skipLongerMatches) return false;
          s++;
          sl--;
        }
        // The rest of the pattern matches nowhere in the rest of the string, so no earlier '*'
        // can help by eating more: Redis stops the whole search here.
        st.skipLongerMatches = true;
        return false;
      }
      case 63: /* '?' */
        s++;
        sl--;
        break;
      case 91: /* '[' */ {
        p++;
        pl--;
        const not = pat.charCodeAt(p) === 94; /* '^' */
        if (not) {
          p++;
          pl--;
        }
        let match = false;
        const c0 = str.charCodeAt(s);
        for (;;) {
          const q = pat.charCodeAt(p);
          if (q === 92 /* '\\' */ && pl >= 2) {
            p++;
            pl--;
            if (pat.charCodeAt(p) === c0) match = true;
          } else if (q === 93 /* ']' */) {
            break;
          } else if (pl === 0) {
            p--;
            pl++;
            break;
          } else if (pl >= 3 && pat.charCodeAt(p + 1) === 45 /* '-' */) {
            let start = sc(q);
            let end = sc(pat.charCodeAt(p + 2));
            let c = sc(c0);
            if (start > end) {
              const t = start;
              start = end;
              end = t;
            }
            if (nocase) {
              start = lower(start);
              end = lower(end);
              c = lower(c);
            }
            p += 2;
            pl -= 2;
            if (c >= start && c <= end) match = true;
          } else if (!nocase) {
            if (q === c0) match = true;
          } else if (lower(q) === lower(c0)) {
            match = true;
          }
          p++;
          pl--;
        }
        if (not) match = !match;
        if (!match) return false;
        s++;
        sl--;
        break;
      }
      default: {
        // '\\' escapes the next byte; a trailing one is a literal backslash.
        if (pc === 92 && pl >= 2) {
          p++;
          pl--;
        }
        const q = pat.charCodeAt(p);
        const c = str.charCodeAt(s);
        if (nocase ? lower(q) !== lower(c) : q !== c) return false;
        s++;
        sl--;
        break;
      }
    }
    p++;
    pl--;
    if (sl === 0) {
      while (pat.charCodeAt(p) === 42) {
        p++;
        pl--;
      }
      break;
    }
  }
  return pl === 0 && sl === 0;
}

/** Redis's stringmatchlen(pattern, string, nocase). */
export function stringMatch(pattern: string, str: string, nocase = false): boolean {
  return impl(pattern, 0, pattern.length, str, 0, str.length, nocase, { skipLongerMatches: false }, 0);
}

export type Matcher = ((key: string) => boolean) & {
  /** 'all' matches everything, 'exact' only `literal`, 'prefix' keys starting with `literal`. */
  kind: 'all' | 'exact' | 'prefix' | 'glob';
  literal: string;
};

/**
 * A matcher for one pattern as KEYS and SCAN apply it: a lone "*" matches every key (even the
 * empty one, which stringmatchlen would refuse); shapes that need no glob engine skip it.
 */
export function compileGlob(pattern: string, nocase = false): Matcher {
  let kind: Matcher['kind'] = 'glob';
  let literal = '';
  if (pattern === '*') kind = 'all';
  else if (!nocase) {
    let end = pattern.length;
    while (end > 0 && pattern.charCodeAt(end - 1) === 42) end--;
    const head = pattern.slice(0, end);
    if (!/[*?[\\]/.test(head)) {
      literal = head;
      kind = end === pattern.length ? 'exact' : 'prefix';
    }
  }
  let fn: (key: string) => boolean;
  switch (kind) {
    case 'all':
      fn = () => true;
      break;
    case 'exact':
      fn = (k) => k === literal;
      break;
    case 'prefix':
      // stringmatchlen never matches an empty string against a non-empty pattern.
      fn = (k) => k.length !== 0 && k.startsWith(literal);
      break;
    default:
      fn = (k) => stringMatch(pattern, k, nocase);
  }
  return Object.assign(fn, { kind, literal });
}
