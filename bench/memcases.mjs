// The memory benchmark's data sets, shared by the engine side (bench/engine.ts) and the Redis side
// (bench/run.mjs) so both hold exactly the same keys and values.
const pad = (i, n) => String(i).padStart(n, '0');

/** Each case: `keys` keys, loaded by `commands()` (batches of one-line-reply commands). */
export function memCases({ strings = 1_000_000, small = 100_000 } = {}) {
  return [
    {
      name: `${strings / 1000}k strings (16 B key, 32 B value)`,
      keys: strings,
      *commands() {
        for (let i = 0; i < strings; i++) yield ['SET', `key:${pad(i, 12)}`, `v${pad(i, 31)}`];
      },
    },
    {
      name: `${small / 1000}k hashes × 5 fields`,
      keys: small,
      *commands() {
        for (let i = 0; i < small; i++) {
          const c = ['HSET', `hash:${pad(i, 11)}`];
          for (let j = 0; j < 5; j++) c.push(`field:${j}`, `value:${pad(i % 100_000, 6)}`);
          yield c;
        }
      },
    },
    {
      name: `${small / 1000}k sets × 10 members`,
      keys: small,
      *commands() {
        for (let i = 0; i < small; i++) {
          const c = ['SADD', `set:${pad(i, 12)}`];
          for (let j = 0; j < 10; j++) c.push(`member:${j}:${pad(i % 1000, 3)}`);
          yield c;
        }
      },
    },
    {
      name: `${small / 1000}k zsets × 10 members`,
      keys: small,
      *commands() {
        for (let i = 0; i < small; i++) {
          const c = ['ZADD', `zset:${pad(i, 11)}`];
          for (let j = 0; j < 10; j++) c.push(String(j * 1.5), `member:${j}:${pad(i % 1000, 3)}`);
          yield c;
        }
      },
    },
    {
      name: `${small / 1000}k lists × 10 elements`,
      keys: small,
      *commands() {
        for (let i = 0; i < small; i++) {
          const c = ['RPUSH', `list:${pad(i, 11)}`];
          for (let j = 0; j < 10; j++) c.push(`elem:${j}:${pad(i % 1000, 3)}`);
          yield c;
        }
      },
    },
  ];
}
