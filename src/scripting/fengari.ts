// The one door to fengari (Lua 5.3 in JavaScript): its build options first (fengari-conf.ts),
// one module graph (the package's main entry), and Lua 5.1's number text: tostring(2^53) is
// "9.007199254741e+15" (C's %.14g), where fengari writes "9007199254741000". lapi and lvm reach
// luaO_tostring through lobject's exports, so replacing that export changes every conversion.
import './fengari-conf.js';
import fengari from 'fengari';
import lobject from 'fengari/src/lobject.js';
import { toBytes } from '../protocol/bytes.js';
import { fmtG } from '../protocol/numfmt.js';

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

export const lua = fengari.lua;
export const lauxlib = fengari.lauxlib;
export const lualib = fengari.lualib;
