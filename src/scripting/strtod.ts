// glibc's strtod over a prefix of a string (decimal, hexadecimal with a p exponent, inf, infinity,
// nan, nan(chars)), which Lua 5.1's number parse and lua-cjson's decoder both rely on.
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

/** glibc strtod over a prefix of s from i: the value and where it stopped (i itself: no number). */
export function strtodPrefix(s: string, i: number): [number, number] {
  let j = i;
  let neg = false;
  if (s[j] === '+' || s[j] === '-') neg = s[j++] === '-';
  const rest = s.slice(j, j + 8).toLowerCase();
  if (rest.startsWith('inf')) return [neg ? -Infinity : Infinity, j + (rest === 'infinity' ? 8 : 3)];
  if (rest.startsWith('nan')) {
    let e = j + 3;
    const m = /^\([0-9A-Za-z_]*\)/.exec(s.slice(e));
    if (m) e += m[0].length;
    return [NaN, e];
  }
  if (s[j] === '0' && (s[j + 1] === 'x' || s[j + 1] === 'X') && (isHex(s[j + 2]) || (s[j + 2] === '.' && isHex(s[j + 3])))) {
    let k = j + 2, mant = 0n, exp = 0;
    while (isHex(s[k])) mant = mant * 16n + BigInt(parseInt(s[k++]!, 16));
    if (s[k] === '.') for (k++; isHex(s[k]); k++, exp -= 4) mant = mant * 16n + BigInt(parseInt(s[k]!, 16));
    if ((s[k] === 'p' || s[k] === 'P') && (isDigit(s[k + 1]) || ((s[k + 1] === '+' || s[k + 1] === '-') && isDigit(s[k + 2])))) {
      const m = /^[pP]([+-]?\d+)/.exec(s.slice(k))!;
      exp += Number(m[1]);
      k += m[0].length;
    }
    const v = Number(mant) * 2 ** exp;
    return [neg ? -v : v, k];
  }
  let k = j, digits = 0;
  while (isDigit(s[k])) { k++; digits++; }
  if (s[k] === '.') for (k++; isDigit(s[k]); k++) digits++;
  if (digits === 0) return [0, i];
  const m = /^[eE][+-]?\d+/.exec(s.slice(k));
  if (m) k += m[0].length;
  return [Number(s.slice(i, k)), k];
}
