// RESP over WebSocket: binary frames carry RESP bytes; one frame may hold many commands or part
// of one. Commands are decoded as they arrive and run as pipelines, replies kept in order.
import { RespDecoder } from '../protocol/resp-decode.js';
import { encodeMany } from '../protocol/resp-encode.js';
import { err, simple, type Frame } from '../protocol/frame.js';
import { Session } from '../server/session.js';
import { expandReplies, setPushSink } from '../server/pubsub.js';
import { WorkerBackend, type Access, type Env } from './env.js';
import { idleCheck, unmuted } from '../server/clients.js';
import { clientInfo } from '../server/commands/client.js';
import type { ClientsObject } from '../objects/clients.js';
import type { ShardObject } from '../objects/shard.js';
import { RegistryLink } from './clients-link.js';
import { incident, internalError } from '../server/incident.js';

/** The client registry binding (wrangler.toml CLIENTS); absent: CLIENT LIST sees one connection. */
type ClientsEnv = Env & { CLIENTS?: DurableObjectNamespace<ClientsObject> };

const CHANGES_PROTOCOL = new Set(['hello', 'reset']);
/** The platform caps WebSocket messages at 32 MiB: longer replies go out in several (RESP is a stream). */
const MAX_MESSAGE = 16 * 1024 * 1024;

export function acceptResp(env: Env, host: string, access: Access): Response {
  const pair = new WebSocketPair();
  const client = pair[0];
  const ws = pair[1];
  ws.accept();
  const backend = new WorkerBackend(env, host);
  const session = new Session(backend, {
    authenticated: access !== null,
    user: access?.user ?? 'default',
    readonly: access?.readonly ?? false,
  });
  // Client management (server/clients.ts): the registry link, KILL, UNBLOCK, MONITOR, timeout.
  const id = session.session.id;
  // The peer's address is not passed here: a per-connection port keeps ADDR filters distinct.
  session.session.addr = `127.0.0.1:${1024 + (id % 64511)}`;
  const cs = session.client.attach(null, {
    kill: () => close(1000, 'killed'),
    unblock: (error) => unblockShards(error),
    monitorLine: (line) => send([simple(line)]),
  });
  const unblockShards = async (error: boolean): Promise<boolean> => {
    if (!cs.blocked) return false;
    const ns = env.SHARD as DurableObjectNamespace<ShardObject>;
    const n = await Promise.all(backend.slots.ranges.map((_, i) => ns.get(ns.idFromName(`shard-${i}`)).unblockClient(id, error ? 'error' : 'timeout')));
    return n.some((x) => Number(x) > 0);
  };
  const clientsNs = (env as ClientsEnv).CLIENTS;
  const link = clientsNs
    ? new RegistryLink(clientsNs, id, cs, {
        info: () => clientInfo(session),
        kill: () => close(1000, 'killed'),
        unblock: (error) => unblockShards(error),
        lines: (lines) => {
          if (cs.monitor) send(lines.map(simple));
        },
      })
    : null;
  cs.registry = link;
  // Idle `timeout`: checked only after a quiet spell (see idleCheck), read from shard 0's config.
  let idleTimer: ReturnType<typeof setTimeout> | null = null;
  const armIdle = (ms: number) => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => void checkIdle(), ms);
  };
  const checkIdle = async () => {
    if (closed) return;
    let secs = 0;
    try {
      const r = await session.exec(0, ['CONFIG', 'GET', 'timeout']);
      secs = r.t === 'arr' || r.t === 'map' ? Number((r.v[1] as { v?: string })?.v ?? 0) : 0;
    } catch {
      // a shard hiccup: check again later
    }
    if (closed) return;
    const exempt = running || cs.monitor || cs.blocked;
    const { close: shut, nextMs } = idleCheck(Date.now() - cs.lastInteraction, secs, exempt || pubsubActive());
    if (shut) close(1000, 'idle timeout');
    else armIdle(nextMs);
  };
  armIdle(1000);
  const decoder = new RespDecoder();
  decoder.authenticated = session.session.authenticated;
  let busy: Promise<void> = Promise.resolve();
  let closed = false;
  let running = false;

  const send = (frames: Frame[]) => {
    if (closed || !frames.length) return;
    const bytes = encodeMany(frames, session.session.proto);
    if (bytes.length <= MAX_MESSAGE) return ws.send(bytes);
    for (let i = 0; i < bytes.length; i += MAX_MESSAGE) ws.send(bytes.subarray(i, i + MAX_MESSAGE));
  };
  // Pub/sub messages: written at once, or after the replies of the pipeline being run (so a
  // SUBSCRIBE's confirmation always precedes the messages it brings).
  let held: Frame[] = [];
  setPushSink(session, (f) => {
    if (running) held.push(f);
    else send([f]);
  });
  const release = () => {
    if (!held.length) return;
    const h = held;
    held = [];
    send(h);
  };

  const drain = async () => {
    for (;;) {
      const cmds: string[][] = [];
      let protoError: string | null = null;
      decoder.maxBulkLen = await backend.bulkLimit();
      for (let c = decoder.next(); c !== null; c = decoder.next()) {
        if (!Array.isArray(c)) {
          protoError = c.error;
          break;
        }
        cmds.push(c);
        // A protocol switch changes how later replies are encoded, CONFIG SET how later
        // commands are decoded (proto-max-bulk-len): end the pipeline there.
        const name = c[0]!.toLowerCase();
        if (CHANGES_PROTOCOL.has(name) || (name === 'config' && c[1]?.toLowerCase() === 'set')) break;
      }
      if (cmds.length) {
        running = true;
        const muted: boolean[] = [];
        const replies = await session.run(cmds, muted).finally(() => (running = false));
        if (closed) return;
        send(expandReplies(unmuted(replies, muted)));
        release();
        decoder.authenticated = session.session.authenticated;
        if (session.session.closing) return close(1000, 'QUIT');
      }
      if (protoError) {
        send([err(protoError)]);
        return close(1002, 'protocol error');
      }
      if (!cmds.length) return;
    }
  };

  const close = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    if (idleTimer) clearTimeout(idleTimer);
    cleanup();
    try {
      ws.close(code, reason);
    } catch {
      // already closing
    }
  };

  ws.addEventListener('message', (ev: MessageEvent) => {
    const data = ev.data as string | ArrayBuffer | Blob;
    // Bytes are pushed in arrival order inside the chain: a Blob must be read asynchronously.
    busy = busy
      .then(async () => {
        if (typeof data === 'string') decoder.push(new TextEncoder().encode(data));
        else if (data instanceof ArrayBuffer) decoder.push(new Uint8Array(data));
        else decoder.push(new Uint8Array(await data.arrayBuffer()));
        await drain();
      })
      .catch((e) => {
        send([err(internalError(incident('resp session', e)))]);
        close(1011, 'internal error');
      });
  });
  const pubsubActive = () => session.subscriptions.active;
  let cleaned = false;
  function cleanup() {
    if (cleaned) return;
    cleaned = true;
    link?.close();
    // Every part lets go: subscriptions (the hub link), tracking, WATCHed keys at once (a
    // forgotten watch would otherwise live until its lease ends).
    void session.close().catch(() => {});
    // A command may be waiting on a shard (BLPOP…): release it so it takes no data for nobody.
    if (running) void backend.unblockClient(session.session.id).catch(() => {});
  }
  ws.addEventListener('close', () => close(1000, 'closed'));
  ws.addEventListener('error', () => close(1011, 'error'));

  return new Response(null, { status: 101, webSocket: client });
}
