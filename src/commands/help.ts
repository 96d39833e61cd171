// Redis's addReplyHelp: the `<CMD> <subcommand> …` banner, the lines, then HELP, as status replies.
import { simple, arr, type Frame } from '../protocol/frame.js';

export function helpReply(cmd: string, lines: readonly string[]): Frame {
  return arr([
    simple(`${cmd} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`),
    ...lines.map(simple),
    simple('HELP'),
    simple('    Prints this help.'),
  ]);
}
