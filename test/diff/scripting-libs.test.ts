// Redis's bundled Lua libraries against real Redis 7.0.15: struct (pack / unpack / size, with
// lua_struct.c's alignment, endianness, integer conversions and error texts), cjson's tokenizer,
// strtod numbers and configuration functions, and each library's table of names.
import { describe, it } from 'vitest';
import { useDiff, type Cmd } from '../helpers/diff.js';

const d = useDiff();
const ev = (body: string): Cmd => ['EVAL', body, 0];
/** A packed string as hex, so the comparison shows every byte. */
const hex = (expr: string): Cmd => ev(`local s = ${expr} return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end))`);
/** Every value a call returns, as text (floats and integers alike). */
const all = (expr: string): Cmd => ev(`local t = {${expr}} for i = 1, #t do t[i] = tostring(t[i]) end return t`);

describe('struct', () => {
  it('pack: integer sizes, endianness, signedness and out-of-range doubles as x86-64 converts them', () =>
    d.check([
      "'>I2', 258", "'<I2', 258", "'i', -1", "'I', -1", "'l', -2", "'L', 2^63", "'L', 2^64", "'L', 2^70", "'l', -2^63", "'l', -2^70",
      "'>i16', -1", "'<i16', -1", "'b', 300", "'B', -1", "'h', 1.9", "'h', -1.9", "'T', 5", "'i0', 5", "'>i9', -2", "'I', '12'",
      "'L', 0/0", "'l', 0/0", "'b', -0.5",
    ].map((a) => hex(`struct.pack(${a})`))));

  it('pack: alignment, padding, floats, strings and control characters', () =>
    d.check([
      "'bhi', 1, 2, 3", "'!bhi', 1, 2, 3", "'!4bd', 1, 2", "'!bd', 1, 2", "'!2bl', 1, 2", "'!bi3', 1, 2", "'!8bi3', 1, 2", "'!1bl', 1, 2",
      "'f', 1.5", "'>f', 0.1", "'d', 0.1", "'>d', -1/0", "'d', 0/0", "'f', 1e300", "'c', 'abc'", "'c2', 'abc'", "'c0', 'abc'", "'s', 'abc'",
      "'x'", "'bxb', 1, 2", "' > < b', 1", "'c', 12",
    ].map((a) => hex(`struct.pack(${a})`))));

  it('unpack and size: values, next position, offsets, c0 and s', () =>
    d.check([
      "struct.unpack('>I2', '\\1\\2')", "struct.unpack('<i2', '\\255\\255')", "struct.unpack('i', struct.pack('i', -5))",
      "struct.unpack('L', struct.pack('l', -1))", "struct.unpack('>i9', struct.pack('>i9', -2))", "struct.unpack('<i9', struct.pack('<i9', -2))",
      "struct.unpack('<I16', string.rep('\\255', 16))", "struct.unpack('<i16', string.rep('\\255', 16))", "struct.unpack('>i12', string.rep('\\128', 12))",
      "struct.unpack('f', struct.pack('f', 1.5))", "struct.unpack('d', struct.pack('d', 0.1))", "struct.unpack('>d', struct.pack('>d', 3.25))",
      "struct.unpack('s', 'ab\\0cd')", "struct.unpack('ss', 'ab\\0cd\\0')", "struct.unpack('c2c1', 'abc')", "struct.unpack('bc0', '\\2abc')",
      "struct.unpack('!bd', struct.pack('!bd', 7, 2.5))", "struct.unpack('bxb', '\\1\\0\\2')", "struct.unpack('b', 'abc', 2)",
      "struct.unpack('!4bi', 'abcdefgh', 1)", "struct.unpack('!4bi', 'abcdefghijkl', 2)", "struct.unpack('', 'ab', -5)", "struct.unpack('', 'ab', 3)",
      "struct.unpack('b', 'ab', 1.5)", "struct.unpack('l', struct.pack('l', 2^53 + 1))", "struct.unpack('L', string.rep('\\255', 8))",
      "struct.size('bhilLTfdxc3')", "struct.size('!bhilLTfdx')", "struct.size('!4bd')", "struct.size('z9')", "struct.size('>!2i')",
    ].map(all)));

  it('errors: bad options, sizes, alignment, short data and missing arguments', () =>
    d.check([
      "struct.pack('z')", "struct.pack('i33', 1)", "struct.pack('!3b', 1)", "struct.pack('c5', 'ab')", "struct.pack('s')", "struct.pack('i')",
      "struct.pack('ii', 1)", "struct.pack('iii', 1)", "struct.pack('i', 'x')", "struct.pack()", "struct.pack('i99999999999', 1)", "struct.pack('b3', 1)",
      "struct.unpack('i', 'ab')", "struct.unpack('z', 'ab')", "struct.unpack('s', 'ab')", "struct.unpack('c0', 'ab')", "struct.unpack('b', 'ab', 0)",
      "struct.unpack('b', 'ab', -1)", "struct.unpack('b', 'ab', 3)", "struct.unpack('', 'ab', 10)", "struct.unpack('bc0', '\\5abc')",
      "struct.unpack('c0', '3abc')", "struct.unpack('i')", "struct.size('s')", "struct.size('c0')", "struct.size('!3')", "struct.size('i33')",
    ].map((e) => ev(`return {${e}}`)).concat([ev("return {pcall(struct.pack, 'z')}"), ev("local a, b = pcall(struct.unpack, 'c0', 'x') return b")])));
});

/** pcall of a cjson.decode, its value re-encoded (tables) or as text. */
const dec = (json: string): Cmd => ev(`local ok, v = pcall(cjson.decode, ${json}) if not ok then return v end if type(v) == 'table' then return cjson.encode(v) end return tostring(v)`);

describe('cjson', () => {
  it("decode: strtod's numbers (hex, inf, nan, leading zeros, +), token names and positions in errors", () =>
    d.check([
      '0x10', '[1e2, 01, -0x1F]', '+1', 'NaN', 'nan', 'Infinity', '-inf', 'inFinity', 'nan(123)', '0x1.8p1', '-0X1P-2', 'Inf', 'NAN', '+inf', '00', '-01',
      '1.5e+3', '-0', '0x', '-x', '-', 'nul', '.5', '1.', '1e', '12abc', '[1,2,]', '{"a":1,}', '[tru]', '"\\\\x"', '"ab', '  ', '[[[1]]]',
      '"\\\\ud800"', '"\\\\udc00"', '"\\\\ud83d\\\\ude00"', '"\\\\u00zz"', '1 2', '{1:2}', '[1 2]', '{"a" 1}', '[-]', '{"a":[1,{"b":null}]}',
    ].map((j) => dec(`'${j}'`)).concat([dec("'[1,2]\\0junk'"), dec("'\"a\\0b\"'"), dec("'[\\0'"), dec("'\\0['"), dec("'a\\0'")])));

  it('configuration functions: values returned, settings applied, argument errors', () =>
    d.check([
      'return {cjson.encode_sparse_array()}', 'return {cjson.encode_sparse_array(true, 3, 5)}',
      'cjson.encode_sparse_array(true) return cjson.encode({[1]=1,[20]=2})', 'cjson.encode_sparse_array(false, 0) return cjson.encode({[1]=1,[20]=2})',
      'cjson.encode_sparse_array(false, 1, 0) return {pcall(cjson.encode, {[1]=1,[3]=2})}', "return {pcall(cjson.encode_sparse_array, 'on', -1)}",
      "return {pcall(cjson.encode_sparse_array, 'x')}", 'return {pcall(cjson.encode_sparse_array, 1, 2, 3, 4)}', "return {cjson.encode_sparse_array('on', '4', nil)}",
      'return {cjson.encode_max_depth()}', 'cjson.encode_max_depth(2) return {pcall(cjson.encode, {{{1}}})}', 'return {pcall(cjson.encode_max_depth, 0)}',
      "return {pcall(cjson.encode_max_depth, 'x')}", 'return {pcall(cjson.encode_max_depth, true)}',
      "cjson.decode_max_depth(2) return {pcall(cjson.decode, '[[[1]]]')}", "cjson.decode_max_depth(2) return {pcall(cjson.decode, '{\"a\":{\"b\":{}}}')}",
      "return {pcall(cjson.decode, string.rep('[', 1001))}", 'return {cjson.encode_number_precision()}',
      'cjson.encode_number_precision(3) return cjson.encode({3.14159, 1/3, 12345})', 'return {pcall(cjson.encode_number_precision, 15)}',
      'return {pcall(cjson.encode_number_precision, 2.7)}', 'return {cjson.encode_keep_buffer()}', 'return {cjson.encode_keep_buffer(false)}',
      "return {cjson.encode_keep_buffer('on')}", 'return {cjson.encode_invalid_numbers()}', 'cjson.encode_invalid_numbers(true) return cjson.encode({1/0, -1/0, 0/0})',
      "cjson.encode_invalid_numbers('null') return {cjson.encode({1/0, 0/0}), cjson.encode_invalid_numbers()}", "cjson.encode_invalid_numbers('on') return cjson.encode({[1/0]=1})",
      "return {pcall(cjson.encode_invalid_numbers, 'maybe')}", 'return {cjson.decode_invalid_numbers()}',
      "cjson.decode_invalid_numbers(false) return {pcall(cjson.decode, '[0x10]')}", "cjson.decode_invalid_numbers(false) return {pcall(cjson.decode, 'NaN')}",
      "cjson.decode_invalid_numbers(false) return {pcall(cjson.decode, '-01')}", "cjson.decode_invalid_numbers(false) return {pcall(cjson.decode, '+1')}",
      "local c = cjson.new() c.encode_number_precision(2) return {c.encode(3.14159), cjson.encode(3.14159), type(c.new), c._NAME, c._VERSION, c.null == cjson.null}",
      'return {pcall(cjson.encode)}', 'return {pcall(cjson.encode, 1, 2)}', 'return {pcall(cjson.decode)}', 'return {pcall(cjson.decode, {})}',
      'return {pcall(cjson.encode, function() end)}', 'return {pcall(cjson.encode, {[true]=1})}', 'return cjson.encode({a=cjson.null})',
      "return cjson.encode(cjson.decode('[1, null, 3]'))",
      // The settings last as long as the VM (SCRIPT FLUSH makes a new one).
      ['SCRIPT', 'FLUSH'], 'return cjson.encode_number_precision()',
    ].map((x) => (typeof x === 'string' ? ev(x) : x))));

  it('the names each library table holds', () =>
    d.check(['cjson', 'cmsgpack', 'struct', 'bit'].map((lib) =>
      ev(`local t = {} for k, v in pairs(${lib}) do t[#t+1] = k .. '=' .. (type(v) == 'string' and v or type(v)) end table.sort(t) return t`))));
});
