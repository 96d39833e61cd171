// Lua 5.1's number text in fengari: tostring(2^53) is "9.007199254741e+15" (%.14g), not fengari's
// "9007199254741000". lobject.js copies lua_number2str from luaconf when it loads, so the export
// is replaced here, before any other fengari module loads (vm.ts imports this first).
import './fengari-conf.js';
// defs.js first: it and luaconf.js require each other, and fengari's own order starts at defs.
import 'fengari/src/defs.js';
import luaconf from 'fengari/src/luaconf.js';
import { fmtG } from '../protocol/numfmt.js';

luaconf.lua_number2str = (n: number): string => fmtG(n, 14);
export {};
