// Operations commands with nothing to operate on in a serverless service: SHUTDOWN (a client
// cannot stop the service; Redis's own reply when a shutdown does not happen) and LOLWUT.
import { E, err, verb, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import type { CommandSpec, ConnCtx } from './types.js';
import { def } from './spec-data.js';

/**
 * LOLWUT [VERSION v]: Redis 7.0's own version (and any without an artwork) answers the version
 * line. Versions 5 and 6 draw Redis's generative art, which keyflare does not: they answer the
 * same line (a deliberate difference: art is not an interface anyone depends on).
 */
function lolwut(c: ConnCtx, argv: string[]): Frame {
  for (let j = 1; j < argv.length; j++) {
    if (argv[j]!.toLowerCase() === 'version' && j + 1 < argv.length) {
      if (parseI64(argv[j + 1]!) === null) return E.notInt;
      j++;
    }
  }
  return verb(`Redis ver. ${c.server.version}\n`);
}

export const OPS_COMMANDS: CommandSpec[] = [
  def('shutdown', { route: 'conn', conn: () => err('ERR Errors trying to SHUTDOWN. Check logs.') }),
  def('lolwut', { route: 'conn', conn: lolwut }),
];
