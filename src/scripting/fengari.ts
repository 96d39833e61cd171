// The one door to fengari (Lua 5.3 in JavaScript): its build options first (fengari-conf.ts),
// one module graph (the package's main entry), and Lua 5.1's number text: tostring(2^53) is
// "9.007199254741e+15" (C's %.14g), where fengari writes "9007199254741000". lapi and lvm reach
// luaO_tostring through lobject's exports, so replacing that export changes every conversion.
// The same holds for luaO_str2num: Lua 5.1 converts strings with C's strtod, so tonumber('inf'),
// tonumber(' -nan ') and 'inf' + 0 are numbers there (5.3 refuses inf and nan).
import './fengari-conf.js';
import fengari from 'fengari';
import lobject from 'fengari/src/lobject.js';
import { toBytes } from '../protocol/bytes.js';
import { fmtG } from '../protocol/numfmt.js';
import { strtodPrefix } from './strtod.js';

interface TValue {
  value: unknown;
  ttisinteger(): boolean;
}
const tostring = lobject.luaO_tostring as (L: unknown, o: TValue) => void;
lobject.luaO_tostring = (L: unknown, o: TValue): void => {
  const float = !o.ttisinteger();
  const n = o.value as number;
  tostring(L, o);
  if (float) (o.value as { realstring: Uint8Array }).realstring = toBytes(fmtG(n, 14));
};

interface NumValue {
  setfltvalue(x: number): void;
}
const str2num = lobject.luaO_str2num as (s: Uint8Array, o: NumValue) => number;
const isSpace = (c: number | undefined) => c === 0x20 || (c !== undefined && c >= 0x09 && c <= 0x0d);
lobject.luaO_str2num = (s: Uint8Array, o: NumValue): number => {
  const n = str2num(s, o);
  if (n !== 0) return n;
  // Lua 5.1's luaO_str2d: strtod (it skips leading spaces), then only spaces may follow.
  let i = 0;
  while (isSpace(s[i])) i++;
  let text = '';
  for (let k = i; k < Math.min(s.length, i + 64); k++) text += String.fromCharCode(s[k]!);
  const [v, end] = strtodPrefix(text, 0);
  if (end === 0) return 0;
  let j = i + end;
  while (isSpace(s[j])) j++;
  if (j !== s.length) return 0;
  o.setfltvalue(v);
  return s.length + 1;
};

export const lua = fengari.lua;
export const lauxlib = fengari.lauxlib;
export const lualib = fengari.lualib;
