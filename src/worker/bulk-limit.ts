// proto-max-bulk-len as this Worker isolate knows it, for the protocol limits the Worker applies
// (the WebSocket decoder, REST argv): read from shard 0 at most about once a second, and at once
// after a CONFIG SET (or any CONFIG change) ran through this isolate.

/** Redis's text for a bulk longer than proto-max-bulk-len (the connection then closes). */
export const BULK_LEN_ERROR = 'ERR Protocol error: invalid bulk length';
/** Redis's default proto-max-bulk-len (512mb), until shard 0 has said otherwise. */
const DEFAULT = 512 * 1024 * 1024;
/** CONFIG SET refuses a proto-max-bulk-len below 1mb: no shorter argument needs the value. */
const MIN_LIMIT = 1024 * 1024;
const FRESH_MS = 1000;

let value = DEFAULT;
let freshUntil = -Infinity;
/** Bumped by a CONFIG change, so a read that started before it is not taken for the new value. */
let epoch = 0;
/** The epoch `value` was read in (-1: never read). */
let valueEpoch = -1;
let loading: { epoch: number; p: Promise<number> } | null = null;

/**
 * The current limit. A value only older than a second is used while a fresh one is read behind
 * it (so requests never wait on shard 0 for it); the first read, and the read after a CONFIG
 * change seen here, are waited for. `load` reads it from shard 0.
 */
export function bulkLimit(load: () => Promise<number>): number | Promise<number> {
  const current = valueEpoch === epoch;
  if (current && Date.now() < freshUntil) return value;
  const p = refresh(load);
  return current ? value : p;
}

function refresh(load: () => Promise<number>): Promise<number> {
  if (loading && loading.epoch === epoch) return loading.p;
  const e = epoch;
  const p = load().then(
    (v) => {
      if (e === epoch) {
        value = v;
        valueEpoch = e;
        freshUntil = Date.now() + FRESH_MS;
      }
      return v;
    },
    (err) => {
      // Shard 0 unreachable: keep the last value, try again in a second.
      console.error('proto-max-bulk-len: shard 0 unreachable', err);
      if (e === epoch) {
        valueEpoch = e;
        freshUntil = Date.now() + FRESH_MS;
      }
      return value;
    },
  );
  const mine = { epoch: e, p: p.finally(() => loading === mine && (loading = null)) };
  loading = mine;
  return mine.p;
}

/** After a batch ran: a CONFIG command other than GET may have changed the limit. */
export function noteConfigChanges(batch: readonly (readonly string[])[]): void {
  for (const argv of batch) {
    const cmd = argv[0];
    if (cmd !== undefined && cmd.length === 6 && cmd.toLowerCase() === 'config' && argv[1]?.toLowerCase() !== 'get') {
      epoch++;
      freshUntil = -Infinity;
      return;
    }
  }
}

/** True when an argument is longer than proto-max-bulk-len (only then is `limit` asked). */
export async function argvTooLong(cmds: readonly (readonly string[])[], limit: () => number | Promise<number>): Promise<boolean> {
  let longest = 0;
  for (const argv of cmds) for (const a of argv) if (a.length > longest) longest = a.length;
  if (longest <= MIN_LIMIT) return false;
  return longest > (await limit());
}
