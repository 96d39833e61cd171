// Replication around a ShardHost, pure: the primary's face (its log and a snapshot as ReplPrimary
// reads them, WAIT, min-replicas-to-write) and the replica's (ReplReplica's target: stream bytes
// applied by the host, a full resync installed into storage and the host reopened from it,
// replica-read-only). Sending messages and reopening hosts are the owner's (DO or in-process).
import { MAX_ROW } from '../persistence/log.js';
import type { StoragePort } from '../persistence/port.js';
import { META_MANIFEST, saveReplIds } from '../persistence/recovery.js';
import type { SnapshotCodec } from '../persistence/snapshot.js';
import type { Manifest } from '../persistence/aof.js';
import { ReplPrimary, type PrimaryLog, type ToPrimary, type ToReplica } from './repl.js';
import { ReplReplica, type ReplicaTarget } from './repl-replica.js';
import type { ShardHost } from './host.js';

/** Meta key: this storage holds a replica's synced copy (the primary's id it followed). */
export const META_REPLICA = 'replica';
export const READONLY_ERR = "READONLY You can't write against a read only replica.";
export const NOREPLICAS_ERR = 'NOREPLICAS Not enough good replicas to write.';

/** The whole keyspace as an RDB file (one-byte string), at the log's current offset. */
export function snapshotOf(host: ShardHost, codec: SnapshotCodec, nowMs: number): { off: number; data: string } {
  const w = codec.writer(nowMs);
  const dbs = [...host.shard.keyspaces()].filter(([n, k]) => n === 0 || k.data.size > 0).sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  const db0 = host.shard.keyspace(0);
  parts.push(w.begin(db0.data.size, db0.expires.size));
  for (const [n, k] of dbs) {
    if (n !== 0) parts.push(w.select(n, { keys: k.data.size, expires: k.expires.size }));
    for (const [key, v] of k.data) parts.push(w.entry(key, v, k.getExpire(key)));
  }
  parts.push(w.end());
  return { off: host.log.offset, data: parts.join('') };
}

/**
 * A full resync's storage: the snapshot as the base covering the stream up to `off`, no log rows,
 * the primary's replid. A host opened on it (recovery) holds the snapshot at offset `off`.
 */
export function installSnapshot(port: StoragePort, replid: string, off: number, rdb: string, nowMs: number, primary: string): void {
  const raw = port.readMeta(META_MANIFEST);
  const old = raw ? (JSON.parse(raw) as Manifest) : null;
  const gen = (old?.base?.gen ?? 0) + 1;
  const seg = (old?.segments[old.segments.length - 1]?.seg ?? 0) + 1;
  port.deleteFrom(0);
  for (let i = 0, idx = 0; i < rdb.length || idx === 0; i += MAX_ROW, idx++) port.writeBaseRow(gen, idx, rdb.slice(i, i + MAX_ROW));
  port.deleteBaseExcept(gen);
  const m: Manifest = { base: { gen, bytes: rdb.length, keys: 0, at: nowMs, off }, segments: [{ seg, bytes: 0, off }] };
  port.writeMeta(META_MANIFEST, JSON.stringify(m));
  saveReplIds(port, { replid, replid2: '0'.repeat(40), secondOffset: -1 });
  port.writeMeta(META_REPLICA, primary);
}

/** The primary's side of a group: the replica table over this host's log. */
export class PrimarySide {
  readonly core: ReplPrimary;

  constructor(
    readonly host: () => ShardHost,
    codec: SnapshotCodec,
    private readonly now: () => number,
    opts?: ConstructorParameters<typeof ReplPrimary>[1],
  ) {
    const log: PrimaryLog = {
      get replid() {
        return host().log.replid;
      },
      get durable() {
        return host().log.durable;
      },
      get offset() {
        return host().log.offset;
      },
      readFrom: (o, m, r) => host().readFrom(o, m, r),
      canContinue: (r, o) => host().log.canContinue(r, o),
      snapshot: () => snapshotOf(host(), codec, now()),
    };
    this.core = new ReplPrimary(log, opts);
  }

  /** A message from a replica; returns what to send it. */
  receive(m: ToPrimary, addr?: { ip: string; port: number }): ToReplica[] {
    if (m.t === 'psync') return this.core.psync(m.id, m.replid, m.off, this.now(), addr);
    this.core.ack(m.id, m.off, this.now());
    return [];
  }

  /** Install min-replicas-to-write on the host's shard (NOREPLICAS when too few are good). */
  guard(): void {
    const h = this.host();
    h.replica = false;
    h.shard.persist.group = () => {
      const now = this.now();
      return { role: 'master', replicas: [...this.core.replicas.values()].map((r) => ({ id: r.id, ip: r.ip, port: r.port, state: r.state, ack: r.ack, lag: Math.floor((now - r.lastAck) / 1000) })) };
    };
    // WAIT: replicas that acknowledged this shard's offset now; at the timeout, the count then.
    h.waitFor = (n, ms, timers) => new Promise<number>((res) => {
      let t: unknown = null;
      const cancel = this.core.wait(n, h.log.offset, (c) => {
        if (t !== null) timers.clear(t);
        res(c);
      });
      if (ms > 0) t = timers.set(cancel, ms);
    });
    h.shard.writeRefusal = () => {
      const c = h.shard.config;
      const need = c.int('min-replicas-to-write');
      if (need <= 0) return null;
      return this.core.good(this.now(), c.int('min-replicas-max-lag')) < need ? NOREPLICAS_ERR : null;
    };
  }
}

/** The replica's side: ReplReplica over the host, reopening it after a full resync. */
export class ReplicaSide implements ReplicaTarget {
  readonly core: ReplReplica;

  constructor(
    readonly id: string,
    private host: ShardHost,
    private readonly port: StoragePort,
    /** Close the old host and open a new one over the same storage (recovery). */
    private readonly reopen: (old: ShardHost) => ShardHost,
    private readonly now: () => number,
    opts?: ConstructorParameters<typeof ReplReplica>[2],
  ) {
    this.core = new ReplReplica(id, this, opts);
    this.guard();
  }

  get current(): ShardHost {
    return this.host;
  }

  /** replica-read-only: client writes are refused, the stream's are applied (by replay). */
  private guard(): void {
    const h = this.host;
    h.replica = true;
    h.waitFor = null;
    h.shard.persist.group = () => ({
      role: 'slave', host: '127.0.0.1', port: 6380, link: this.core.state,
      lastIo: this.core.lastIo < 0 ? -1 : Math.floor((this.now() - this.core.lastIo) / 1000),
      readOnly: h.shard.config.get('replica-read-only') === 'yes', offset: h.log.offset,
    });
    h.shard.writeRefusal = () => (h.shard.config.get('replica-read-only') === 'yes' ? READONLY_ERR : null);
  }

  offset(): number {
    return this.host.log.offset;
  }
  replid(): string {
    return this.host.log.replid;
  }
  synced(): boolean {
    return this.port.readMeta(META_REPLICA) !== null;
  }
  apply(data: string): string | null {
    return this.host.applyStream(data);
  }
  install(replid: string, off: number, rdb: string): void {
    // The writes in flight on the old host are moot: storage is replaced as a whole.
    this.host.close();
    installSnapshot(this.port, replid, off, rdb, this.now(), 'primary');
    this.host = this.reopen(this.host);
    this.guard();
  }
  adopt(replid: string): void {
    const log = this.host.log;
    log.shiftReplid(replid);
    saveReplIds(this.port, log.ids());
  }
}
