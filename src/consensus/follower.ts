// The follower's side: log matching and repair on AppendEntries, heartbeats, and snapshot assembly.
import { type Ctx, installSnapshot, send, writeLog } from './ctx.js';
import { findConflictByTerm, lastIndex, termAt } from './log.js';
import type { Message } from './types.js';

type Msg<T extends Message['type']> = Extract<Message, { type: T }>;

export function onAppend(c: Ctx, m: Msg<'append'>): void {
  const s = c.s;
  const ok = (index: number): void => send(c, { type: 'append-resp', to: m.from, reject: false, index, hintIndex: 0, hintTerm: 0 });
  // Everything up to commit already matches the leader's log.
  if (m.prevIndex < s.commit) return ok(s.commit);
  if (termAt(s, m.prevIndex) !== m.prevTerm) {
    // Log matching fails: hint where our logs can match, skipping a whole conflicting term at once.
    const hintIndex = findConflictByTerm(s, Math.min(m.prevIndex, lastIndex(s)), m.prevTerm);
    send(c, { type: 'append-resp', to: m.from, reject: true, index: m.prevIndex, hintIndex, hintTerm: termAt(s, hintIndex) ?? 0 });
    return;
  }
  const lastNew = m.prevIndex + m.entries.length;
  // Truncate only at a real conflict: a stale or duplicated append must never cut entries we already hold.
  const k = m.entries.findIndex((e) => termAt(s, e.index) !== e.term);
  if (k >= 0) {
    if (m.entries[k]!.index <= s.commit) throw new Error(`raft: conflict at committed index ${m.entries[k]!.index}`);
    writeLog(c, m.entries.slice(k));
  }
  s.commit = Math.max(s.commit, Math.min(m.commit, lastNew));
  ok(lastNew);
}

export function onHeartbeat(c: Ctx, m: Msg<'heartbeat'>): void {
  const s = c.s;
  s.commit = Math.max(s.commit, Math.min(m.commit, lastIndex(s)));
  send(c, { type: 'heartbeat-resp', to: m.from, ctx: m.ctx });
}

/** InstallSnapshot in chunks: assemble in order, asking for the offset we need; install on the last one. */
export function onSnapshot(c: Ctx, m: Msg<'snapshot'>): void {
  const s = c.s;
  const resp = (offset: number, done: boolean): void => send(c, { type: 'snapshot-resp', to: m.from, index: m.meta.index, offset, done });
  if (m.meta.index <= s.commit) { s.incoming = null; return resp(0, true); }
  let inc = s.incoming;
  if (m.offset === 0) inc = { meta: m.meta, parts: [], size: 0 };
  const same = !!inc && inc.meta.index === m.meta.index && inc.meta.term === m.meta.term;
  if (!inc || !same || m.offset !== inc.size) return resp(same ? inc!.size : 0, false);
  inc = { meta: m.meta, parts: [...inc.parts, m.chunk], size: inc.size + m.chunk.length };
  if (!m.done) { s.incoming = inc; return resp(inc.size, false); }
  const data = new Uint8Array(inc.size);
  let at = 0;
  for (const p of inc.parts) { data.set(p, at); at += p.length; }
  s.incoming = null;
  installSnapshot(c, { meta: m.meta, data });
  resp(inc.size, true);
}
