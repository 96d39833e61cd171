// Blocking commands (BLPOP, BZPOPMIN, XREAD BLOCK…): clients waiting on keys, served in FIFO
// order when a write makes a key ready, or answered with their timeout reply. Pure: the host
// (shard DO or in-process backend) supplies timers and awaits the promises.
import type { Frame } from '../protocol/frame.js';
import type { Proto } from '../protocol/resp-encode.js';

/** What a command that must wait asks for (Ctx.block). */
export interface BlockRequest {
  keys: string[];
  /** 0 = forever. */
  timeoutMs: number;
  /** What to re-run instead of the received argv (Ctx.block's retryArgv). */
  retryArgv?: string[];
}

/** A batch stopped at a blocking command. */
export interface Blocked extends BlockRequest {
  argv: string[];
  /** The reply if the wait times out (what the handler returned). */
  timeoutReply: Frame;
}

export interface Waiter extends Blocked {
  id: number;
  resp: Proto;
  client: number;
  resolve(f: Frame): void;
}

export class Waiters {
  private readonly byKey = new Map<string, Waiter[]>();
  private readonly byId = new Map<number, Waiter>();
  private readonly ready = new Set<string>();
  private ids = 0;

  get size(): number {
    return this.byId.size;
  }

  /** Keys someone waits on (cheap test for the write path). */
  watches(key: string): boolean {
    return this.byKey.has(key);
  }

  add(b: Blocked, resp: Proto, client: number): { id: number; promise: Promise<Frame> } {
    const id = ++this.ids;
    let resolve!: (f: Frame) => void;
    const promise = new Promise<Frame>((r) => (resolve = r));
    const w: Waiter = { ...b, id, resp, client, resolve };
    this.byId.set(id, w);
    for (const k of new Set(b.keys)) {
      let l = this.byKey.get(k);
      if (!l) this.byKey.set(k, (l = []));
      l.push(w);
    }
    return { id, promise };
  }

  signal(key: string): void {
    if (this.byKey.has(key)) this.ready.add(key);
  }

  /** Every waited key is ready (FLUSHALL / FLUSHDB: blocked XREADGROUPs learn their key is gone). */
  signalAll(): void {
    for (const k of this.byKey.keys()) this.ready.add(k);
  }

  /**
   * Serve ready keys: `retry` re-runs a waiter's command (for the key made ready) and returns its
   * reply, or null when it would still block. Waiters of one key are served first come, first
   * served, until one blocks.
   */
  serve(retry: (w: Waiter, key: string) => Frame | null): void {
    while (this.ready.size) {
      const [key] = this.ready;
      this.ready.delete(key!);
      const list = this.byKey.get(key!);
      while (list && list.length) {
        const w = list[0]!;
        const reply = retry(w, key!);
        if (reply === null) break;
        this.finish(w, reply);
      }
    }
  }

  /** Answer a waiter (timeout, CLIENT UNBLOCK, disconnect); false if it is no longer waiting. */
  end(id: number, reply?: Frame): boolean {
    const w = this.byId.get(id);
    if (!w) return false;
    this.finish(w, reply ?? w.timeoutReply);
    return true;
  }

  /** Every waiter of a client (it disconnected). */
  ofClient(client: number): number[] {
    return [...this.byId.values()].filter((w) => w.client === client).map((w) => w.id);
  }

  private finish(w: Waiter, reply: Frame): void {
    this.byId.delete(w.id);
    for (const k of new Set(w.keys)) {
      const l = this.byKey.get(k);
      if (!l) continue;
      const i = l.indexOf(w);
      if (i >= 0) l.splice(i, 1);
      if (l.length === 0) this.byKey.delete(k);
    }
    w.resolve(reply);
  }
}

/** The type a blocked command waits for on its keys ('group': XREADGROUP), or null. */
export function waitsFor(cmd: string): 'list' | 'zset' | 'stream' | 'group' | null {
  const c = cmd.toLowerCase();
  if (c === 'blpop' || c === 'brpop' || c === 'blmpop' || c === 'blmove' || c === 'brpoplpush') return 'list';
  if (c === 'bzpopmin' || c === 'bzpopmax' || c === 'bzmpop') return 'zset';
  if (c === 'xread') return 'stream';
  if (c === 'xreadgroup') return 'group';
  return null;
}

/**
 * Redis's handleClientsBlockedOnKeys: a ready key serves its waiters only if it now holds the type
 * they wait for (an LPUSH + DEL + SET in one transaction leaves a BLPOP blocked, not WRONGTYPE);
 * a blocked XREADGROUP whose stream was deleted, retyped or flushed is answered with this error.
 * `type` is the key's type now (undefined: no key). Returns 'serve', 'wait', or the error reply.
 */
export function readyAction(cmd: string, type: string | undefined): 'serve' | 'wait' | Frame {
  const want = waitsFor(cmd);
  if (want === null) return 'serve';
  if (want === 'group') return type === 'stream' ? 'serve' : { t: 'err', v: 'UNBLOCKED the stream key no longer exists' };
  return type === want ? 'serve' : 'wait';
}

/** Timers the host provides (setTimeout in the runtime; fake timers in tests). */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** setTimeout caps delays at 2^31-1 ms (~24.8 days): longer waits are re-armed in steps. */
const MAX_DELAY = 2 ** 31 - 1;

export function armTimer(timers: Timers, fn: () => void, ms: number): { cancel(): void } {
  let handle: unknown;
  let left = ms;
  const arm = () => {
    const step = Math.min(left, MAX_DELAY);
    left -= step;
    handle = timers.set(() => (left > 0 ? arm() : fn()), step);
  };
  arm();
  return { cancel: () => timers.clear(handle) };
}
