// Redis's cjson library (lua-cjson 2.1 as Redis bundles it): encode / decode / null, with its
// number format (%.14g), its sparse-array rule, `/` escaped, and its error texts.
import { lua, lauxlib } from './fengari.js';
import { fromBytes, toBytes } from '../protocol/bytes.js';
import { fmtG } from '../protocol/numfmt.js';

type L = unknown;
const S = (s: string): Uint8Array => toBytes(s);
const J = (u: Uint8Array | null | undefined): string => (u ? fromBytes(u) : '');

/** cjson.null: a light userdata (NULL in C); a unique JS value here. */
export const CJSON_NULL = { cjsonNull: true };
const MAX_DEPTH = 1000;

const ESC: string[] = [];
for (let i = 0; i < 256; i++) ESC[i] = i < 0x20 ? '\\u' + i.toString(16).padStart(4, '0') : String.fromCharCode(i);
ESC[0x08] = '\\b'; ESC[0x09] = '\\t'; ESC[0x0a] = '\\n'; ESC[0x0c] = '\\f'; ESC[0x0d] = '\\r';
ESC[0x22] = '\\"'; ESC[0x5c] = '\\\\'; ESC[0x2f] = '\\/'; ESC[0x7f] = '\\u007f';

function escape(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) out += ESC[s.charCodeAt(i)]!;
  return out + '"';
}

class EncodeError {
  constructor(readonly msg: string) {}
}

function encode(L: L, idx: number, depth: number): string {
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TSTRING:
      return escape(J(lua.lua_tolstring(L, idx)));
    case lua.LUA_TNUMBER: {
      const x = lua.lua_tonumber(L, idx);
      if (!Number.isFinite(x)) throw new EncodeError('Cannot serialise number: must not be NaN or Inf');
      return fmtG(x, 14);
    }
    case lua.LUA_TBOOLEAN:
      return lua.lua_toboolean(L, idx) ? 'true' : 'false';
    case lua.LUA_TNIL:
      return 'null';
    case lua.LUA_TLIGHTUSERDATA:
      if (lua.lua_touserdata(L, idx) === CJSON_NULL) return 'null';
      throw new EncodeError('Cannot serialise lightuserdata: type not supported');
    case lua.LUA_TTABLE:
      return encodeTable(L, lua.lua_absindex(L, idx), depth + 1);
    default:
      throw new EncodeError(`Cannot serialise ${J(lua.lua_typename(L, lua.lua_type(L, idx)))}: type not supported`);
  }
}

function encodeTable(L: L, idx: number, depth: number): string {
  if (depth > MAX_DEPTH) throw new EncodeError(`Cannot serialise, excessive nesting (${depth})`);
  // lua_array_length: -1 when any key is not a positive integer; excessive sparseness is an error.
  let max = 0, items = 0, isArray = true;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx) !== 0) {
    if (isArray && lua.lua_type(L, -2) === lua.LUA_TNUMBER) {
      const k = lua.lua_tonumber(L, -2);
      if (Number.isInteger(k) && k >= 1) {
        if (k > max) max = k;
        items++;
        lua.lua_pop(L, 1);
        continue;
      }
    }
    isArray = false;
    lua.lua_pop(L, 1);
  }
  if (isArray && max > items * 2 && max > 10) throw new EncodeError('Cannot serialise table: excessively sparse array');
  if (isArray && max > 0) {
    const parts: string[] = [];
    for (let i = 1; i <= max; i++) {
      lua.lua_rawgeti(L, idx, i);
      parts.push(encode(L, -1, depth));
      lua.lua_pop(L, 1);
    }
    return '[' + parts.join(',') + ']';
  }
  const parts: string[] = [];
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx) !== 0) {
    const kt = lua.lua_type(L, -2);
    let key: string;
    if (kt === lua.LUA_TSTRING) key = escape(J(lua.lua_tolstring(L, -2)));
    else if (kt === lua.LUA_TNUMBER) key = '"' + fmtG(lua.lua_tonumber(L, -2), 14) + '"';
    else throw new EncodeError('Cannot serialise table: table key must be a number or string');
    parts.push(key + ':' + encode(L, -1, depth));
    lua.lua_pop(L, 1);
  }
  return '{' + parts.join(',') + '}';
}

/** JSON text (bytes) → Lua values on the stack. */
class Decoder {
  i = 0;
  constructor(readonly L: L, readonly s: string) {}

  fail(what: string, at = this.i): never {
    throw new EncodeError(`Expected ${what} but found invalid token at character ${at + 1}`);
  }

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.i++;
      else break;
    }
  }

  value(depth: number): void {
    const L = this.L;
    this.ws();
    const s = this.s;
    const c = s[this.i];
    if (c === undefined) throw new EncodeError(`Expected value but found T_END at character ${this.i + 1}`);
    if (c === '{') {
      if (depth + 1 > MAX_DEPTH) throw new EncodeError(`Found too many nested data structures (${depth + 1}) at character ${this.i + 1}`);
      this.i++;
      lua.lua_createtable(L, 0, 0);
      this.ws();
      if (s[this.i] === '}') {
        this.i++;
        return;
      }
      for (;;) {
        this.ws();
        if (s[this.i] !== '"') this.fail('object key string');
        this.str();
        this.ws();
        if (s[this.i] !== ':') this.fail('colon');
        this.i++;
        this.value(depth + 1);
        lua.lua_rawset(L, -3);
        this.ws();
        if (s[this.i] === ',') {
          this.i++;
          continue;
        }
        if (s[this.i] === '}') {
          this.i++;
          return;
        }
        this.fail('comma or object end');
      }
    }
    if (c === '[') {
      if (depth + 1 > MAX_DEPTH) throw new EncodeError(`Found too many nested data structures (${depth + 1}) at character ${this.i + 1}`);
      this.i++;
      lua.lua_createtable(L, 0, 0);
      this.ws();
      if (s[this.i] === ']') {
        this.i++;
        return;
      }
      for (let n = 1; ; n++) {
        this.value(depth + 1);
        lua.lua_rawseti(L, -2, n);
        this.ws();
        if (s[this.i] === ',') {
          this.i++;
          continue;
        }
        if (s[this.i] === ']') {
          this.i++;
          return;
        }
        this.fail('comma or array end');
      }
    }
    if (c === '"') return this.str();
    if (s.startsWith('true', this.i)) {
      this.i += 4;
      lua.lua_pushboolean(L, 1);
      return;
    }
    if (s.startsWith('false', this.i)) {
      this.i += 5;
      lua.lua_pushboolean(L, 0);
      return;
    }
    if (s.startsWith('null', this.i)) {
      this.i += 4;
      lua.lua_pushlightuserdata(L, CJSON_NULL);
      return;
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(s.slice(this.i, this.i + 400));
    if (m && m[0].length) {
      this.i += m[0].length;
      lua.lua_pushnumber(L, Number(m[0]));
      return;
    }
    this.fail('value');
  }

  str(): void {
    const s = this.s;
    let out = '';
    const start = this.i;
    this.i++;
    for (;;) {
      if (this.i >= s.length) throw new EncodeError(`Expected value but found invalid string at character ${start + 1}`);
      const c = s.charCodeAt(this.i++);
      if (c === 0x22) break;
      if (c !== 0x5c) {
        out += String.fromCharCode(c);
        continue;
      }
      const e = s[this.i++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          let cp = parseInt(s.slice(this.i, this.i + 4), 16);
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(this.i, this.i + 4))) throw new EncodeError(`Expected value but found invalid unicode escape code at character ${start + 1}`);
          this.i += 4;
          if (cp >= 0xd800 && cp <= 0xdbff && s[this.i] === '\\' && s[this.i + 1] === 'u') {
            const lo = parseInt(s.slice(this.i + 2, this.i + 6), 16);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
              cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
              this.i += 6;
            }
          }
          out += utf8(cp);
          break;
        }
        default:
          throw new EncodeError(`Expected value but found invalid escape code at character ${start + 1}`);
      }
    }
    lua.lua_pushstring(this.L, S(out));
  }
}

function utf8(cp: number): string {
  const f = String.fromCharCode;
  if (cp < 0x80) return f(cp);
  if (cp < 0x800) return f(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  if (cp < 0x10000) return f(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  return f(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

function guard(L: L, f: () => number): number {
  try {
    return f();
  } catch (e) {
    if (e instanceof EncodeError) {
      lua.lua_settop(L, 0);
      return lauxlib.luaL_error(L, S(e.msg));
    }
    throw e;
  }
}

export function openCjson(L: L): void {
  lua.lua_createtable(L, 0, 4);
  lua.lua_pushcfunction(L, (L: L) => guard(L, () => {
    if (lua.lua_gettop(L) !== 1) return lauxlib.luaL_argerror(L, 1, S('expected 1 argument'));
    const out = encode(L, 1, 0);
    lua.lua_pushstring(L, S(out));
    return 1;
  }));
  lua.lua_setfield(L, -2, S('encode'));
  lua.lua_pushcfunction(L, (L: L) => guard(L, () => {
    if (lua.lua_gettop(L) !== 1) return lauxlib.luaL_argerror(L, 1, S('expected 1 argument'));
    const text = J(lauxlib.luaL_checklstring(L, 1));
    const d = new Decoder(L, text);
    d.value(0);
    d.ws();
    if (d.i < text.length) d.fail('the end');
    return 1;
  }));
  lua.lua_setfield(L, -2, S('decode'));
  lua.lua_pushlightuserdata(L, CJSON_NULL);
  lua.lua_setfield(L, -2, S('null'));
  lua.lua_pushliteral(L, '2.1.0');
  lua.lua_setfield(L, -2, S('_VERSION'));
  lua.lua_pushliteral(L, 'cjson');
  lua.lua_setfield(L, -2, S('_NAME'));
  lua.lua_setglobal(L, S('cjson'));
}
