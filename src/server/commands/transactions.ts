// Transaction commands: MULTI, EXEC, DISCARD, WATCH, UNWATCH — answered by the connection, whose
// Transaction (server/transaction.ts) holds the queue and the watched versions.
import { keySlot } from '../../cluster/slot.js';
import { E, err, type Frame } from '../../protocol/frame.js';
import type { Transaction } from '../transaction.js';
import { incident } from '../incident.js';
import type { CommandSpec } from '../../commands/types.js';
import { sdef, type SessionCtx, type SessionHandler } from './ctx.js';

async function exec(tx: Transaction): Promise<Frame> {
  try {
    return await tx.exec();
  } catch (e) {
    return err(`CLUSTERDOWN transaction failed (incident ${incident('EXEC', e)})`);
  }
}

function watch(c: SessionCtx, argv: string[]): Frame | Promise<Frame> {
  const tx = c.tx;
  // Redis Cluster checks the keys' slot before WATCH itself runs (and flags an open MULTI).
  if (c.server.mode !== 'cluster') return tx.watch(argv.slice(1));
  const slot = keySlot(argv[1]!);
  for (let i = 2; i < argv.length; i++) {
    if (keySlot(argv[i]!) !== slot) {
      tx.flag();
      return E.crossSlot;
    }
  }
  return tx.watch(argv.slice(1));
}

const spec = (name: string, conn: SessionHandler): CommandSpec => sdef(name, { route: 'conn', conn });

export const TRANSACTION_COMMANDS: CommandSpec[] = [
  spec('multi', (c) => c.tx.multi()),
  spec('exec', (c) => exec(c.tx)),
  spec('discard', (c) => c.tx.discard()),
  {
    ...spec('watch', watch),
    keySpecs: [{ flags: ['RO'], bs: { index: 1 }, fk: { lastkey: -1, keystep: 1, limit: 0 } }],
  },
  spec('unwatch', (c) => c.tx.unwatch()),
];
