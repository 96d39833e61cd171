// Counters INFO reports (stats, commandstats, errorstats sections); reset by CONFIG RESETSTAT.

export class Stats {
  totalCommands = 0;
  expiredKeys = 0;
  evictedKeys = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  rejectedCalls = 0;
  errorReplies = 0;
  /** Per-command call counts for INFO commandstats. */
  calls = new Map<string, number>();
  /** Per-command failed calls (the command ran and replied with an error). */
  failed = new Map<string, number>();
  /** Error replies by prefix (the first word: ERR, WRONGTYPE…) for INFO errorstats. */
  errors = new Map<string, number>();

  /** Count an error reply of `cmd` (Redis's afterErrorReply + failed_calls). */
  error(msg: string, cmd?: string): void {
    const sp = msg.indexOf(' ');
    const prefix = sp < 0 ? msg : msg.slice(0, sp);
    this.errors.set(prefix, (this.errors.get(prefix) ?? 0) + 1);
    if (cmd !== undefined) this.failed.set(cmd, (this.failed.get(cmd) ?? 0) + 1);
  }

  reset(): void {
    this.totalCommands = 0;
    this.expiredKeys = 0;
    this.evictedKeys = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.rejectedCalls = 0;
    this.errorReplies = 0;
    this.calls.clear();
    this.failed.clear();
    this.errors.clear();
  }
}
