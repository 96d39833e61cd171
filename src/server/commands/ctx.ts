// The context connection-level commands run with: a ConnCtx plus what only the connection layer
// has (the pub/sub hub, ACL users). Every connection that runs commands is a Session, which is one.
import type { CommandSpec, ConnCtx } from '../../commands/types.js';
import { def, type Impl } from '../../commands/spec-data.js';
import type { Frame } from '../../protocol/frame.js';
import type { PubSubBackend } from '../hub-port.js';
import type { AclHost } from '../acl.js';
import type { ClientConn } from '../clients.js';
import type { ConnPubSub } from '../pubsub-conn.js';
import type { Transaction } from '../transaction.js';

export interface SessionCtx extends ConnCtx {
  /** Pub/sub service of the host (absent: PUBLISH and SUBSCRIBE answer an error). */
  readonly pubsub?: PubSubBackend;
  /** ACL users of the host (server/acl.ts); absent: ACL commands answer an error. */
  readonly acl?: AclHost;
  /** Client management state (CLIENT REPLY, NO-TOUCH, TRACKING, PAUSE, MONITOR): server/clients.ts. */
  readonly client: ClientConn;
  /** The connection's subscriptions and where its pushes go: server/pubsub-conn.ts. */
  readonly subscriptions: ConnPubSub;
  /** MULTI queue and WATCHed versions: server/transaction.ts. */
  readonly tx: Transaction;
  /** RESET: every part of the connection's state back to a new connection's (one place for all). */
  resetConnection(): Promise<void>;
}

export type SessionHandler = (c: SessionCtx, argv: string[]) => Frame | Promise<Frame>;

/** A connection-level table entry (spec-data.ts's `def` with a SessionCtx handler). */
export function sdef(name: string, impl: Omit<Impl, 'conn'> & { conn?: SessionHandler }): CommandSpec {
  const { conn, ...rest } = impl;
  // The table's handler type takes a ConnCtx; the Session that calls it is a SessionCtx.
  return def(name, conn ? { ...rest, conn: (c, argv) => conn(c as SessionCtx, argv) } : rest);
}
