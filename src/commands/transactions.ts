// Transaction commands: MULTI, EXEC, DISCARD, WATCH, UNWATCH — answered by the connection, whose
// Transaction (server/transaction.ts) holds the queue and the watched versions.
import { keySlot } from '../cluster/slot.js';
import { E, err, type Frame } from '../protocol/frame.js';
import { transactionOf, type Transaction } from '../server/transaction.js';
import { incident } from '../server/incident.js';
import { words } from './args.js';
import type { CommandSpec, ConnCtx } from './types.js';

function withTx(c: ConnCtx, fn: (tx: Transaction) => Frame | Promise<Frame>): Frame | Promise<Frame> {
  const tx = transactionOf(c);
  return tx ? fn(tx) : err('ERR transactions are not available on this connection');
}

async function exec(tx: Transaction): Promise<Frame> {
  try {
    return await tx.exec();
  } catch (e) {
    return err(`CLUSTERDOWN transaction failed (incident ${incident('EXEC', e)})`);
  }
}

function watch(c: ConnCtx, argv: string[]): Frame | Promise<Frame> {
  return withTx(c, (tx) => {
    // Redis Cluster checks the keys' slot before WATCH itself runs (and flags an open MULTI).
    const slot = keySlot(argv[1]!);
    for (let i = 2; i < argv.length; i++) {
      if (keySlot(argv[i]!) !== slot) {
        tx.flag();
        return E.crossSlot;
      }
    }
    return tx.watch(argv.slice(1));
  });
}

const spec = (
  name: string,
  arity: number,
  flags: string,
  acl: string,
  conn: CommandSpec['conn'],
  summary: string,
  since: string,
  keys: [number, number, number] = [0, 0, 0],
): CommandSpec => ({
  name, arity, flags: words(flags), acl: words(acl), keys, route: 'conn', conn, group: 'transactions', summary, since,
});

export const TRANSACTION_COMMANDS: CommandSpec[] = [
  spec('multi', 1, 'noscript loading stale fast allow_busy', 'fast transaction', (c) => withTx(c, (tx) => tx.multi()),
    'Start a transaction', '1.2.0'),
  spec('exec', 1, 'noscript loading stale skip_slowlog', 'slow transaction', (c) => withTx(c, exec),
    'Execute all commands issued after MULTI', '1.2.0'),
  spec('discard', 1, 'noscript loading stale fast allow_busy', 'fast transaction', (c) => withTx(c, (tx) => tx.discard()),
    'Discard all commands issued after MULTI', '2.0.0'),
  {
    ...spec('watch', -2, 'noscript loading stale fast allow_busy', 'fast transaction', watch,
      'Watch the given keys to determine execution of the MULTI/EXEC block', '2.2.0', [1, -1, 1]),
    keySpecs: [{ flags: ['RO'], bs: { index: 1 }, fk: { lastkey: -1, keystep: 1, limit: 0 } }],
  },
  spec('unwatch', 1, 'noscript loading stale fast allow_busy', 'fast transaction', (c) => withTx(c, (tx) => tx.unwatch()),
    'Forget about all watched keys', '2.2.0'),
];
