// Redis's cjson library (lua-cjson 2.1.0, deps/lua/src/lua_cjson.c): encode / decode / null and
// the configuration functions (sparse arrays, nesting depths, number precision, invalid numbers,
// keep_buffer, new), with its tokenizer, strtod number parse, error texts and T_* token names.
// The configuration lives with the module table (one per VM, as Redis has one per Lua state).
import { lua, lauxlib } from './fengari.js';
import { fromBytes, toBytes } from '../protocol/bytes.js';
import { fmtG } from '../protocol/numfmt.js';
import { strtodPrefix } from './strtod.js';

type L = unknown;
const S = (s: string): Uint8Array => toBytes(s);
const J = (u: Uint8Array | null | undefined): string => (u ? fromBytes(u) : '');

/** cjson.null: a light userdata (NULL in C); a unique JS value here. */
export const CJSON_NULL = { cjsonNull: true };
const INT_MAX = 2147483647;

/** json_config_t, with lua_cjson's defaults. */
interface Config {
  sparseConvert: number;
  sparseRatio: number;
  sparseSafe: number;
  encodeMaxDepth: number;
  decodeMaxDepth: number;
  /** 0 refuse, 1 encode (inf, nan), 2 encode as null. */
  encodeInvalid: number;
  decodeInvalid: number;
  keepBuffer: number;
  precision: number;
}
const defaults = (): Config => ({
  sparseConvert: 0, sparseRatio: 2, sparseSafe: 10, encodeMaxDepth: 1000, decodeMaxDepth: 1000,
  encodeInvalid: 0, decodeInvalid: 1, keepBuffer: 1, precision: 14,
});

const ESC: string[] = [];
for (let i = 0; i < 256; i++) ESC[i] = i < 0x20 ? '\\u' + i.toString(16).padStart(4, '0') : String.fromCharCode(i);
ESC[0x08] = '\\b'; ESC[0x09] = '\\t'; ESC[0x0a] = '\\n'; ESC[0x0c] = '\\f'; ESC[0x0d] = '\\r';
ESC[0x22] = '\\"'; ESC[0x5c] = '\\\\'; ESC[0x2f] = '\\/'; ESC[0x7f] = '\\u007f';

function escape(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) out += ESC[s.charCodeAt(i)]!;
  return out + '"';
}

/** A luaL_error raised after the JS frames unwind (fengari's errors must not cross them). */
class LuaFail {
  constructor(readonly msg: string) {}
}

const typeName = (L: L, idx: number): string => J(lua.lua_typename(L, lua.lua_type(L, idx)));
const exception = (L: L, idx: number, reason: string): never => {
  throw new LuaFail(`Cannot serialise ${typeName(L, idx)}: ${reason}`);
};

function number(L: L, cfg: Config, idx: number): string {
  const x = lua.lua_tonumber(L, idx);
  if (cfg.encodeInvalid === 0) {
    if (!Number.isFinite(x)) exception(L, idx, 'must not be NaN or Inf');
  } else if (cfg.encodeInvalid === 1) {
    if (Number.isNaN(x)) return 'nan';
    if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  } else if (!Number.isFinite(x)) return 'null';
  return fmtG(x, cfg.precision);
}

function encode(L: L, cfg: Config, idx: number, depth: number): string {
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TSTRING:
      return escape(J(lua.lua_tolstring(L, idx)));
    case lua.LUA_TNUMBER:
      return number(L, cfg, idx);
    case lua.LUA_TBOOLEAN:
      return lua.lua_toboolean(L, idx) ? 'true' : 'false';
    case lua.LUA_TNIL:
      return 'null';
    case lua.LUA_TTABLE: {
      depth++;
      if (depth > cfg.encodeMaxDepth) throw new LuaFail(`Cannot serialise, excessive nesting (${depth})`);
      const t = lua.lua_absindex(L, idx);
      const len = arrayLength(L, cfg, t);
      return len > 0 ? encodeArray(L, cfg, t, depth, len) : encodeObject(L, cfg, t, depth);
    }
    case lua.LUA_TLIGHTUSERDATA:
      if (lua.lua_touserdata(L, idx) === CJSON_NULL) return 'null';
      return exception(L, idx, 'type not supported');
    default:
      return exception(L, idx, 'type not supported');
  }
}

/** lua_array_length: the array's length, or -1 for an object (any key not an integer ≥ 1). */
function arrayLength(L: L, cfg: Config, t: number): number {
  let max = 0, items = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, t) !== 0) {
    if (lua.lua_type(L, -2) === lua.LUA_TNUMBER) {
      const k = lua.lua_tonumber(L, -2);
      if (k !== 0 && Math.floor(k) === k && k >= 1) {
        if (k > max) max = k;
        items++;
        lua.lua_pop(L, 1);
        continue;
      }
    }
    lua.lua_pop(L, 2);
    return -1;
  }
  if (cfg.sparseRatio > 0 && max > items * cfg.sparseRatio && max > cfg.sparseSafe) {
    if (!cfg.sparseConvert) exception(L, t, 'excessively sparse array');
    return -1;
  }
  return max;
}

function encodeArray(L: L, cfg: Config, t: number, depth: number, len: number): string {
  const parts: string[] = [];
  for (let i = 1; i <= len; i++) {
    lua.lua_rawgeti(L, t, i);
    parts.push(encode(L, cfg, -1, depth));
    lua.lua_pop(L, 1);
  }
  return '[' + parts.join(',') + ']';
}

function encodeObject(L: L, cfg: Config, t: number, depth: number): string {
  const parts: string[] = [];
  lua.lua_pushnil(L);
  while (lua.lua_next(L, t) !== 0) {
    const kt = lua.lua_type(L, -2);
    let key: string;
    if (kt === lua.LUA_TNUMBER) key = '"' + number(L, cfg, -2) + '"';
    else if (kt === lua.LUA_TSTRING) key = escape(J(lua.lua_tolstring(L, -2)));
    else key = exception(L, -2, 'table key must be a number or string');
    parts.push(key + ':' + encode(L, cfg, -1, depth));
    lua.lua_pop(L, 1);
  }
  return '{' + parts.join(',') + '}';
}

// ----- decoding: json_next_token and the parse contexts -----

const enum T { OBJ_BEGIN, OBJ_END, ARR_BEGIN, ARR_END, STRING, NUMBER, BOOLEAN, NULL, COLON, COMMA, END, WHITESPACE, ERROR, UNKNOWN }
const T_NAME = ['T_OBJ_BEGIN', 'T_OBJ_END', 'T_ARR_BEGIN', 'T_ARR_END', 'T_STRING', 'T_NUMBER', 'T_BOOLEAN', 'T_NULL', 'T_COLON', 'T_COMMA', 'T_END', 'T_WHITESPACE', 'T_ERROR', 'T_UNKNOWN'];
const CH2TOKEN: T[] = new Array<T>(256).fill(T.ERROR);
CH2TOKEN[0x7b] = T.OBJ_BEGIN; CH2TOKEN[0x7d] = T.OBJ_END; CH2TOKEN[0x5b] = T.ARR_BEGIN; CH2TOKEN[0x5d] = T.ARR_END;
CH2TOKEN[0x2c] = T.COMMA; CH2TOKEN[0x3a] = T.COLON; CH2TOKEN[0] = T.END;
for (const c of ' \t\n\r') CH2TOKEN[c.charCodeAt(0)] = T.WHITESPACE;
for (const c of 'fiInNt"+-0123456789') CH2TOKEN[c.charCodeAt(0)] = T.UNKNOWN;
const ESCAPE2CHAR: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', u: 'u' };

interface Token {
  type: T;
  index: number;
  /** T_ERROR: the error's name; T_STRING: the text (bytes as chars); T_NUMBER / T_BOOLEAN: the value. */
  value: string | number | boolean;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** json_is_invalid_number: what strtod takes that strict JSON does not (+, hex, leading zeros, inf, nan). */
function invalidNumber(s: string, p: number): boolean {
  if (s[p] === '+') return true;
  if (s[p] === '-') p++;
  if (s[p] === '0') return s[p + 1] === 'x' || s[p + 1] === 'X' || isDigit(s[p + 1]);
  if (s[p] === undefined || s.charCodeAt(p) <= 0x39) return false;
  const w = s.slice(p, p + 3).toLowerCase();
  return w === 'inf' || w === 'nan';
}

class Parser {
  ptr = 0;
  depth = 0;
  constructor(readonly L: L, readonly cfg: Config, readonly s: string) {}

  private err(t: Token, name: string): void {
    t.type = T.ERROR;
    t.index = this.ptr;
    t.value = name;
  }

  next(): Token {
    const s = this.s;
    const t: Token = { type: T.END, index: 0, value: 0 };
    for (;;) {
      t.type = this.ptr < s.length ? CH2TOKEN[s.charCodeAt(this.ptr)]! : T.END;
      if (t.type !== T.WHITESPACE) break;
      this.ptr++;
    }
    t.index = this.ptr;
    if (t.type === T.ERROR) {
      this.err(t, 'invalid token');
      return t;
    }
    if (t.type === T.END) return t;
    if (t.type !== T.UNKNOWN) {
      this.ptr++;
      return t;
    }
    const ch = s[this.ptr]!;
    if (ch === '"') this.string(t);
    else if (ch === '-' || isDigit(ch)) {
      if (!this.cfg.decodeInvalid && invalidNumber(s, this.ptr)) this.err(t, 'invalid number');
      else this.number(t);
    } else if (s.startsWith('true', this.ptr)) {
      t.type = T.BOOLEAN; t.value = true; this.ptr += 4;
    } else if (s.startsWith('false', this.ptr)) {
      t.type = T.BOOLEAN; t.value = false; this.ptr += 5;
    } else if (s.startsWith('null', this.ptr)) {
      t.type = T.NULL; this.ptr += 4;
    } else if (this.cfg.decodeInvalid && invalidNumber(s, this.ptr)) this.number(t);
    else this.err(t, 'invalid token');
    return t;
  }

  private number(t: Token): void {
    t.type = T.NUMBER;
    const [v, end] = strtodPrefix(this.s, this.ptr);
    if (end === this.ptr) this.err(t, 'invalid number');
    else {
      t.value = v;
      this.ptr = end;
    }
  }

  private string(t: Token): void {
    const s = this.s;
    this.ptr++;
    let out = '';
    for (;;) {
      const ch = s[this.ptr];
      if (ch === '"') break;
      if (ch === undefined || ch === '\0') return this.err(t, 'unexpected end of string');
      if (ch === '\\') {
        const e = ESCAPE2CHAR[s[this.ptr + 1] ?? ''];
        if (e === 'u') {
          const u = this.unicode();
          if (u === null) return this.err(t, 'invalid unicode escape code');
          out += u;
          continue;
        }
        if (e === undefined) return this.err(t, 'invalid escape code');
        this.ptr += 2;
        out += e;
        continue;
      }
      out += ch;
      this.ptr++;
    }
    this.ptr++;
    t.type = T.STRING;
    t.value = out;
  }

  /** json_append_unicode_escape: \uXXXX (a surrogate pair as one code point) as UTF-8. */
  private unicode(): string | null {
    const hex4 = (at: number): number => (/^[0-9a-fA-F]{4}$/.test(this.s.slice(at, at + 4)) ? parseInt(this.s.slice(at, at + 4), 16) : -1);
    let cp = hex4(this.ptr + 2);
    if (cp < 0) return null;
    let len = 6;
    if ((cp & 0xf800) === 0xd800) {
      if (cp & 0x400) return null;
      if (this.s[this.ptr + 6] !== '\\' || this.s[this.ptr + 7] !== 'u') return null;
      const lo = hex4(this.ptr + 8);
      if (lo < 0 || (lo & 0xfc00) !== 0xdc00) return null;
      cp = (((cp & 0x3ff) << 10) | (lo & 0x3ff)) + 0x10000;
      len = 12;
    }
    this.ptr += len;
    const f = String.fromCharCode;
    if (cp < 0x80) return f(cp);
    if (cp < 0x800) return f(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    if (cp < 0x10000) return f(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    return f(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }

  fail(expected: string, t: Token): never {
    const found = t.type === T.ERROR ? (t.value as string) : T_NAME[t.type]!;
    throw new LuaFail(`Expected ${expected} but found ${found} at character ${t.index + 1}`);
  }

  private descend(): void {
    if (++this.depth <= this.cfg.decodeMaxDepth) return;
    throw new LuaFail(`Found too many nested data structures (${this.depth}) at character ${this.ptr}`);
  }

  value(t: Token): void {
    const L = this.L;
    switch (t.type) {
      case T.STRING: lua.lua_pushstring(L, S(t.value as string)); return;
      case T.NUMBER: lua.lua_pushnumber(L, t.value as number); return;
      case T.BOOLEAN: lua.lua_pushboolean(L, t.value ? 1 : 0); return;
      case T.NULL: lua.lua_pushlightuserdata(L, CJSON_NULL); return;
      case T.OBJ_BEGIN: return this.object();
      case T.ARR_BEGIN: return this.array();
      default: this.fail('value', t);
    }
  }

  private object(): void {
    const L = this.L;
    this.descend();
    lua.lua_createtable(L, 0, 0);
    let t = this.next();
    if (t.type === T.OBJ_END) { this.depth--; return; }
    for (;;) {
      if (t.type !== T.STRING) this.fail('object key string', t);
      lua.lua_pushstring(L, S(t.value as string));
      t = this.next();
      if (t.type !== T.COLON) this.fail('colon', t);
      this.value(this.next());
      lua.lua_rawset(L, -3);
      t = this.next();
      if (t.type === T.OBJ_END) { this.depth--; return; }
      if (t.type !== T.COMMA) this.fail('comma or object end', t);
      t = this.next();
    }
  }

  private array(): void {
    const L = this.L;
    this.descend();
    lua.lua_createtable(L, 0, 0);
    let t = this.next();
    if (t.type === T.ARR_END) { this.depth--; return; }
    for (let i = 1; ; i++) {
      this.value(t);
      lua.lua_rawseti(L, -2, i);
      t = this.next();
      if (t.type === T.ARR_END) { this.depth--; return; }
      if (t.type !== T.COMMA) this.fail('comma or array end', t);
      t = this.next();
    }
  }
}

/** Run f; a LuaFail becomes luaL_error once no JS frame of ours is left in between. */
function guard(L: L, f: () => number): number {
  let failed: string;
  try {
    return f();
  } catch (e) {
    if (!(e instanceof LuaFail)) throw e;
    failed = e.msg;
  }
  lua.lua_settop(L, 0);
  return lauxlib.luaL_error(L, S(failed));
}

// ----- configuration functions (json_arg_init, json_integer_option, json_enum_option) -----

function argInit(L: L, n: number): void {
  if (lua.lua_gettop(L) > n) lauxlib.luaL_argerror(L, n + 1, S('found too many arguments'));
  while (lua.lua_gettop(L) < n) lua.lua_pushnil(L);
}

/** luaL_checkinteger of Lua 5.1 into a C int: a number truncated, then its low 32 bits. */
function checkInt51(L: L, i: number): number {
  const n = lua.lua_tonumber(L, i);
  if (n === 0 && !lua.lua_isnumber(L, i)) lauxlib.luaL_argerror(L, i, S(`number expected, got ${typeName(L, i)}`));
  return Number.isFinite(n) ? Math.trunc(n) | 0 : 0;
}

function intOption(L: L, i: number, get: () => number, set: (v: number) => void, min: number, max: number): void {
  if (!lua.lua_isnil(L, i)) {
    const v = checkInt51(L, i);
    if (!(min <= v && v <= max)) lauxlib.luaL_argerror(L, 1, S(`expected integer between ${min} and ${max}`));
    set(v);
  }
  lua.lua_pushinteger(L, get());
}

function enumOption(L: L, i: number, get: () => number, set: (v: number) => void, options = ['off', 'on']): void {
  if (!lua.lua_isnil(L, i)) {
    if (lua.lua_isboolean(L, i)) set(lua.lua_toboolean(L, i) ? 1 : 0);
    else set(lauxlib.luaL_checkoption(L, i, null, options.map(S)));
  }
  const v = get();
  if (v === 0 || v === 1) lua.lua_pushboolean(L, v);
  else lua.lua_pushstring(L, S(options[v]!));
}

function fields(cfg: Config): Record<string, (L: L) => number> {
  return {
    encode: (L) => guard(L, () => {
      if (lua.lua_gettop(L) !== 1) return lauxlib.luaL_argerror(L, 1, S('expected 1 argument'));
      lua.lua_pushstring(L, S(encode(L, cfg, 1, 0)));
      return 1;
    }),
    decode: (L) => guard(L, () => {
      if (lua.lua_gettop(L) !== 1) return lauxlib.luaL_argerror(L, 1, S('expected 1 argument'));
      const text = J(lauxlib.luaL_checklstring(L, 1));
      if (text.length >= 2 && (text[0] === '\0' || text[1] === '\0')) throw new LuaFail('JSON parser does not support UTF-16 or UTF-32');
      const p = new Parser(L, cfg, text);
      p.value(p.next());
      const t = p.next();
      if (t.type !== T.END) p.fail('the end', t);
      return 1;
    }),
    encode_sparse_array: (L) => {
      argInit(L, 3);
      enumOption(L, 1, () => cfg.sparseConvert, (v) => (cfg.sparseConvert = v));
      intOption(L, 2, () => cfg.sparseRatio, (v) => (cfg.sparseRatio = v), 0, INT_MAX);
      intOption(L, 3, () => cfg.sparseSafe, (v) => (cfg.sparseSafe = v), 0, INT_MAX);
      return 3;
    },
    encode_max_depth: (L) => (argInit(L, 1), intOption(L, 1, () => cfg.encodeMaxDepth, (v) => (cfg.encodeMaxDepth = v), 1, INT_MAX), 1),
    decode_max_depth: (L) => (argInit(L, 1), intOption(L, 1, () => cfg.decodeMaxDepth, (v) => (cfg.decodeMaxDepth = v), 1, INT_MAX), 1),
    encode_number_precision: (L) => (argInit(L, 1), intOption(L, 1, () => cfg.precision, (v) => (cfg.precision = v), 1, 14), 1),
    // Redis's buffer reuse is invisible to scripts; only the setting is kept.
    encode_keep_buffer: (L) => (argInit(L, 1), enumOption(L, 1, () => cfg.keepBuffer, (v) => (cfg.keepBuffer = v)), 1),
    encode_invalid_numbers: (L) => (argInit(L, 1), enumOption(L, 1, () => cfg.encodeInvalid, (v) => (cfg.encodeInvalid = v), ['off', 'on', 'null']), 1),
    decode_invalid_numbers: (L) => (argInit(L, 1), enumOption(L, 1, () => cfg.decodeInvalid, (v) => (cfg.decodeInvalid = v)), 1),
    new: (L) => (pushModule(L), 1),
  };
}

/** lua_cjson_new: a module table with a configuration of its own. */
function pushModule(L: L): void {
  lua.lua_createtable(L, 0, 13);
  for (const [name, f] of Object.entries(fields(defaults()))) {
    lua.lua_pushcfunction(L, f);
    lua.lua_setfield(L, -2, S(name));
  }
  lua.lua_pushlightuserdata(L, CJSON_NULL);
  lua.lua_setfield(L, -2, S('null'));
  lua.lua_pushliteral(L, 'cjson');
  lua.lua_setfield(L, -2, S('_NAME'));
  lua.lua_pushliteral(L, '2.1.0');
  lua.lua_setfield(L, -2, S('_VERSION'));
}

export function openCjson(L: L): void {
  pushModule(L);
  lua.lua_setglobal(L, S('cjson'));
}
