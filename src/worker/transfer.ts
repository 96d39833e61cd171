// Moving a whole dataset in and out as a real dump.rdb: GET /export streams one RDB file built
// from every shard's keys; POST /import takes a dump.rdb (e.g. from an existing Redis), checks it
// whole, then routes each key to its shard as RESTORE … REPLACE ABSTTL, reporting progress.
import type { Context } from 'hono';
import { Crc64 } from '../persistence/crc64.js';
import { dumpPayload, readRdb, RdbError } from '../persistence/rdb.js';
import { RDB_EOF, rdbHeader } from '../persistence/rdb-snapshot.js';
import { toBytes } from '../protocol/bytes.js';
import { WorkerBackend, type Access, type Env } from './env.js';
import { denial, refusal, type Caller } from './auth.js';
import { incident, internalError } from '../server/incident.js';
import { databasesOf } from '../commands/types.js';

/** A shard refused a RESTORE: its Redis error text is the client's to read. */
class ReplyError extends Error {}

type Ctx = Context<{ Bindings: Env; Variables: { access: NonNullable<Access>; caller: Caller } }>;

const PAGE_KEYS = 5000;
const IMPORT_BATCH = 500;

export async function exportRdb(c: Ctx): Promise<Response> {
  const backend = new WorkerBackend(c.env, new URL(c.req.url).hostname);
  const n = backend.slots.shards;
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const run = async () => {
    const w = writable.getWriter();
    const crc = new Crc64();
    const put = async (s: string | Uint8Array) => {
      const bytes = typeof s === 'string' ? toBytes(s) : s;
      crc.update(bytes);
      await w.write(bytes);
    };
    try {
      const sizes = await Promise.all(Array.from({ length: n }, (_, i) => backend.exec(i, [['DBSIZE']], 2)));
      const total = sizes.reduce((a, r) => a + Number((r[0] as { v: number }).v), 0);
      await put(rdbHeader(Date.now(), total, 0));
      for (let shard = 0; shard < n; shard++) {
        let token: string | null = null;
        do {
          const page: { token: string | null; data: Uint8Array } = await backend.exportPage(shard, token, PAGE_KEYS);
          if (page.data.length) await put(page.data);
          token = page.token;
        } while (token);
      }
      await put(RDB_EOF);
      await w.write(toBytes(crc.bytes()));
      await w.close();
    } catch (e) {
      await w.abort(e);
    }
  };
  c.executionCtx.waitUntil(run());
  return new Response(readable, {
    headers: { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="dump.rdb"' },
  });
}

/**
 * POST /import: the RESTORE command was allowed by the route (app.ts); each key is checked here as
 * its RESTORE would be, before anything is written.
 */
export async function importRdb(c: Ctx): Promise<Response> {
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  const backend0 = new WorkerBackend(c.env, new URL(c.req.url).hostname);
  // Pass 1: the whole file must parse (signature, version, checksum, every value) and the user
  // must be allowed every key before any key is written, so a refused, truncated or corrupt file
  // imports nothing.
  let total = 0;
  let otherDbs = 0;
  const user = c.get('caller').user;
  try {
    for (const e of readRdb(bytes)) {
      // Databases past `databases` (16) have nowhere to go: counted and left out.
      if (e.db >= databasesOf(backend0.server)) {
        otherDbs++;
        continue;
      }
      total++;
      const refused = denial(user, [{ argv: ['RESTORE', e.key, '0', '', 'REPLACE', 'ABSTTL'] }]);
      if (refused) return c.json({ error: await refusal(c.env, c.get('caller'), refused) }, 400);
    }
  } catch (e) {
    if (e instanceof RdbError || e instanceof RangeError) return c.json({ error: `ERR invalid RDB file: ${e.message}` }, 400);
    throw e;
  }
  const backend = backend0;
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const w = writable.getWriter();
  const line = (o: unknown) => w.write(new TextEncoder().encode(JSON.stringify(o) + '\n'));
  const run = async () => {
    const now = Date.now();
    let imported = 0;
    let expired = 0;
    // Batches per shard and db: each RESTOREs into the key's own db (SELECTDB in the file).
    const batches = new Map<number, string[][]>();
    const slot = (shard: number, db: number) => shard * 65536 + db;
    const send = async (at: number) => {
      const b = batches.get(at);
      if (!b?.length) return;
      batches.set(at, []);
      const shard = Math.floor(at / 65536);
      const db = at % 65536;
      const replies = await backend.exec(shard, b, 2, db ? { db } : {});
      for (const r of replies) if (r.t === 'err') throw new ReplyError(r.v);
      imported += b.length;
    };
    try {
      await line({ total, skippedOtherDbs: otherDbs });
      for (const e of readRdb(bytes)) {
        if (e.db >= databasesOf(backend.server)) continue;
        if (e.expireAt !== null && e.expireAt <= now) {
          expired++; // Redis skips keys already expired when it loads a file
          continue;
        }
        const shard = slot(backend.slots.shardOfKey(e.key), e.db);
        let b = batches.get(shard);
        if (!b) batches.set(shard, (b = []));
        b.push(['RESTORE', e.key, String(e.expireAt ?? 0), dumpPayload(e.value), 'REPLACE', 'ABSTTL']);
        if (b.length >= IMPORT_BATCH) {
          await send(shard);
          await line({ imported, total });
        }
      }
      for (const shard of [...batches.keys()]) await send(shard);
      await line({ done: true, imported, expired, total });
    } catch (e) {
      // A shard's reply or the file's fault is the client's to read; anything else is logged (incident.ts).
      const why = e instanceof ReplyError || e instanceof RdbError || e instanceof RangeError ? e.message : internalError(incident('POST /import', e));
      await line({ error: `ERR import failed after ${imported} keys: ${why}` });
    } finally {
      await w.close();
    }
  };
  c.executionCtx.waitUntil(run());
  return new Response(readable, { headers: { 'content-type': 'application/x-ndjson' } });
}
