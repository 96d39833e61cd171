// Config: defaults validate, aliases share one value, SET is all-or-nothing, units as Redis documents.
import { describe, expect, it } from 'vitest';
import { Config, PARAMS, parseMemory, parseNotify, parseSave } from '../../src/engine/config.js';

describe('Config', () => {
  it('every default is accepted by its own validation and printed unchanged', () => {
    const c = new Config();
    for (const p of PARAMS) {
      if (p.immutable) {
        expect(c.setMany([[p.name, p.default]]), p.name).toContain("can't set immutable config");
        continue;
      }
      expect(c.setMany([[p.name, p.default]]), p.name).toBeNull();
      expect(c.get(p.name), p.name).toBe(p.default);
    }
  });

  it('an alias reads and writes the same value as its name', () => {
    const c = new Config();
    expect(c.setMany([['hash-max-ziplist-entries', '7']])).toBeNull();
    expect(c.get('hash-max-listpack-entries')).toBe('7');
    expect(c.int('HASH-MAX-ZIPLIST-ENTRIES')).toBe(7);
    expect(c.match(['hash-max-*-entries']).sort()).toEqual([['hash-max-listpack-entries', '7'], ['hash-max-ziplist-entries', '7']]);
  });

  it('SET applies nothing when any pair is invalid', () => {
    const c = new Config();
    expect(c.setMany([['maxmemory', '100'], ['timeout', 'x']])).toMatch(/^ERR CONFIG SET failed \(possibly related to argument 'timeout'\)/);
    expect(c.get('maxmemory')).toBe('0');
    expect(c.setMany([['maxmemory', '100'], ['nosuch', '1']])).toBe("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
    expect(c.get('maxmemory')).toBe('0');
  });

  it('memory units are Redis\'s: k/m/g are powers of 1000, kb/mb/gb powers of 1024, case-insensitive', () => {
    expect(parseMemory('5')).toBe(5n);
    expect(parseMemory('1k')).toBe(1000n);
    expect(parseMemory('1KB')).toBe(1024n);
    expect(parseMemory('3mb')).toBe(3n * 1024n * 1024n);
    expect(parseMemory('2g')).toBe(2_000_000_000n);
    expect(parseMemory('1tb')).toBeNull();
    expect(parseMemory('-1')).toBeNull();
    expect(parseMemory('1.5mb')).toBeNull();
  });

  it('notify-keyspace-events: A covers g$lshzxetd but not m or n; K and E come last', () => {
    expect(parseNotify('EKA')).toBe('AKE');
    expect(parseNotify('xg$')).toBe('g$x');
    expect(parseNotify('An')).toBe('A');
    expect(parseNotify('mK')).toBe('Km');
    expect(parseNotify('Z')).toEqual({ error: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." });
  });

  it('save takes pairs of seconds ≥ 1 and changes ≥ 0', () => {
    expect(parseSave('3600 1 300 100')).toBe('3600 1 300 100');
    expect(parseSave('')).toBe('');
    expect(parseSave('60')).toEqual({ error: 'Invalid save parameters' });
    expect(parseSave('0 1')).toEqual({ error: 'Invalid save parameters' });
    expect(parseSave('1 -1')).toEqual({ error: 'Invalid save parameters' });
  });

  it('hz is clamped into 1..500 as Redis does', () => {
    const c = new Config();
    c.setMany([['hz', '100000']]);
    expect(c.int('hz')).toBe(500);
    c.setMany([['hz', '0']]);
    expect(c.int('hz')).toBe(1);
  });
});
