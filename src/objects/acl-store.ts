// The ACL Durable Object: one per service, it keeps the users (as ACL LIST lines) in DO storage and
// the ACL LOG in memory (as Redis keeps it). Workers cache a snapshot per isolate (worker/acl-client.ts).
import { DurableObject } from 'cloudflare:workers';
import { AclDirectory, type LogEntry } from '../server/acl.js';

/** The one ACL object of the service. */
export const ACL_NAME = 'acl';

export interface AclSnapshot {
  version: number;
  lines: string[];
}

type NewEntry = Omit<LogEntry, 'count' | 'created' | 'updated'>;

export class AclObject extends DurableObject {
  private loading: Promise<AclDirectory> | null = null;

  /** Users from storage; a fresh object starts from the Worker's built-in users (the tokens'). */
  private dir(seed: string[]): Promise<AclDirectory> {
    this.loading ??= (async () => {
      const lines = await this.ctx.storage.get<string[]>('users');
      const dir = new AclDirectory(lines ?? seed);
      dir.version = (await this.ctx.storage.get<number>('version')) ?? 1;
      if (!lines) await this.ctx.storage.put({ users: dir.lines(), version: dir.version });
      return dir;
    })();
    return this.loading;
  }

  private snap(d: AclDirectory): AclSnapshot {
    return { version: d.version, lines: d.lines() };
  }

  private async save(d: AclDirectory): Promise<void> {
    await this.ctx.storage.put({ users: d.lines(), version: d.version });
  }

  /** The users, or null when the caller's version is current (a cheap staleness check). */
  async snapshot(seed: string[], known: number): Promise<AclSnapshot | null> {
    const d = await this.dir(seed);
    return d.version === known ? null : this.snap(d);
  }

  async setUser(seed: string[], name: string, rules: string[]): Promise<{ err: string | null; snap: AclSnapshot }> {
    const d = await this.dir(seed);
    const e = d.setUser(name, rules);
    if (!e) await this.save(d);
    return { err: e, snap: this.snap(d) };
  }

  async delUsers(seed: string[], names: string[]): Promise<{ n: number; snap: AclSnapshot }> {
    const d = await this.dir(seed);
    const n = d.delUsers(names);
    if (n) await this.save(d);
    return { n, snap: this.snap(d) };
  }

  async log(seed: string[], entries: NewEntry[]): Promise<void> {
    const d = await this.dir(seed);
    const now = Date.now();
    for (const e of entries) d.log.add(e, now);
  }

  async logEntries(seed: string[]): Promise<LogEntry[]> {
    return (await this.dir(seed)).log.entries;
  }

  async logReset(seed: string[]): Promise<void> {
    (await this.dir(seed)).log.entries = [];
  }
}
