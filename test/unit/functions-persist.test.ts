// Function libraries through persistence: they live in no key, so the shard logs LOAD, DELETE,
// FLUSH and RESTORE (replay runs them again) and a rewrite starts its new segment with a FUNCTION
// RESTORE … FLUSH of every library; a recovered shard serves the same libraries.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/engine/clock.js';
import { RDB_SNAPSHOT } from '../../src/persistence/rdb-snapshot.js';
import { ShardHost, type HostEnv } from '../../src/shard/host.js';
import { MemoryPort, type StoragePort } from '../../src/persistence/port.js';
import { ManualTimers, seededBytes } from '../helpers/fake-storage.js';

const info = { index: 0, count: 1, slots: [0, 16383] as const };
const env = (port: StoragePort): HostEnv => ({ port, clock: new ManualClock(), timers: new ManualTimers(), randomBytes: seededBytes(3), codec: RDB_SNAPSHOT });
const lib = (name: string, fn: string) => `#!lua name=${name}\nredis.register_function('${fn}', function() return '${name}' end)`;

async function names(h: ShardHost): Promise<string[]> {
  const [l] = await h.exec([['FUNCTION', 'LIST']], 2);
  return (l as { v: Array<{ v: Array<{ v: string }> }> }).v.map((x) => x.v[1]!.v).sort();
}

describe('function libraries through persistence', () => {
  it('survive a restart from the log, then a rewrite (SAVE) and a restart', async () => {
    const port = new MemoryPort();
    const h = ShardHost.open(info, env(port))!;
    await h.exec([['FUNCTION', 'LOAD', lib('a', 'fa')], ['FUNCTION', 'LOAD', lib('b', 'fb')], ['FUNCTION', 'LOAD', lib('c', 'fc')], ['FUNCTION', 'DELETE', 'b']], 2);
    await h.exec([['FUNCTION', 'LOAD', 'REPLACE', lib('a', 'fa2')], ['FUNCTION', 'LOAD', lib('a', 'x')]], 2); // the second fails: not logged
    h.close();
    const h2 = ShardHost.open(info, env(port))!;
    expect(await names(h2)).toEqual(['a', 'c']);
    expect(await h2.exec([['FCALL', 'fa2', '0'], ['FCALL', 'fa', '0']], 2)).toEqual([{ t: 'bulk', v: 'a' }, { t: 'err', v: 'ERR Function not found' }]);
    expect(await h2.exec([['SAVE']], 2)).toEqual([{ t: 'simple', v: 'OK' }]);
    await h2.exec([['FUNCTION', 'LOAD', lib('d', 'fd')]], 2);
    h2.close();
    const h3 = ShardHost.open(info, env(port))!;
    expect(await names(h3)).toEqual(['a', 'c', 'd']);
    expect(await h3.exec([['FUNCTION', 'FLUSH'], ['SAVE']], 2)).toEqual([{ t: 'simple', v: 'OK' }, { t: 'simple', v: 'OK' }]);
    h3.close();
    expect(await names(ShardHost.open(info, env(port))!)).toEqual([]);
  });
});
