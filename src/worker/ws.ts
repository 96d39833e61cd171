// RESP over WebSocket: binary frames carry RESP bytes; one frame may hold many commands or part
// of one. Commands are decoded as they arrive and run as pipelines, replies kept in order.
import { RespDecoder } from '../protocol/resp-decode.js';
import { encodeMany } from '../protocol/resp-encode.js';
import { err, type Frame } from '../protocol/frame.js';
import { Session } from '../server/session.js';
import { closePubSub, expandReplies, setPushSink } from '../server/pubsub.js';
import { WorkerBackend, type Access, type Env } from './env.js';

const CHANGES_PROTOCOL = new Set(['hello', 'reset']);

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
  const decoder = new RespDecoder();
  decoder.authenticated = session.session.authenticated;
  let busy: Promise<void> = Promise.resolve();
  let closed = false;

  const send = (frames: Frame[]) => {
    if (!closed && frames.length) ws.send(encodeMany(frames, session.session.proto));
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
      for (let c = decoder.next(); c !== null; c = decoder.next()) {
        if (!Array.isArray(c)) {
          protoError = c.error;
          break;
        }
        cmds.push(c);
        // A protocol switch changes how later replies are encoded: end the pipeline there.
        if (CHANGES_PROTOCOL.has(c[0]!.toLowerCase())) break;
      }
      if (cmds.length) {
        running = true;
        const replies = await session.run(cmds).finally(() => (running = false));
        send(expandReplies(replies));
        release();
        decoder.authenticated = session.session.authenticated;
        decoder.maxBulkLen = 512 * 1024 * 1024;
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
        console.error('resp session failed', e);
        send([err(`ERR internal error: ${(e as Error).message}`)]);
        close(1011, 'internal error');
      });
  });
  let running = false;
  ws.addEventListener('close', () => {
    close(1000, 'closed');
    closePubSub(session);
    // Release WATCHed keys at once (a forgotten watch would otherwise live until its lease ends).
    void session.close().catch(() => {});
    // A command may be waiting on a shard (BLPOP…): release it so it takes no data for nobody.
    if (running) void backend.unblockClient(session.session.id).catch(() => {});
  });
  ws.addEventListener('error', () => close(1011, 'error'));

  return new Response(null, { status: 101, webSocket: client });
}
