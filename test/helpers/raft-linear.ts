// A Wing–Gong linearizability checker (with Lowe's memoization, as in Porcupine) for per-key registers.
// Registers are independent, so a KV history is linearizable iff each key's sub-history is (locality).

export interface Op {
  readonly key: string;
  readonly kind: 'w' | 'r';
  /** written value, or the value the read returned (null: key absent). */
  readonly value: string | null;
  readonly invoke: number;
  /** Infinity: the client never heard back (a write that may or may not have taken effect). */
  readonly complete: number;
}

interface Node { op: number; call: boolean; prev: Node | null; next: Node | null; match: Node | null }

/** Is this single-register history linearizable from initial value null? */
export function linearizableRegister(ops: readonly Op[]): boolean {
  // Unanswered reads constrain nothing; drop them.
  const list = ops.filter((o) => o.kind === 'w' || o.complete !== Infinity);
  const events: { t: number; call: boolean; op: number }[] = [];
  list.forEach((o, i) => { events.push({ t: o.invoke, call: true, op: i }, { t: o.complete, call: false, op: i }); });
  // At equal times a return sorts before a call: only a strictly earlier return orders two ops.
  events.sort((a, b) => a.t - b.t || (a.call === b.call ? 0 : a.call ? 1 : -1));
  const head: Node = { op: -1, call: false, prev: null, next: null, match: null };
  let tail = head;
  const calls: Node[] = [];
  const rets: Node[] = [];
  for (const e of events) {
    const n: Node = { op: e.op, call: e.call, prev: tail, next: null, match: null };
    tail.next = n;
    tail = n;
    (e.call ? calls : rets)[e.op] = n;
  }
  for (let i = 0; i < list.length; i++) { calls[i]!.match = rets[i]!; }
  const lift = (n: Node): void => {
    n.prev!.next = n.next; if (n.next) n.next.prev = n.prev;
    const r = n.match!; r.prev!.next = r.next; if (r.next) r.next.prev = r.prev;
  };
  const unlift = (n: Node): void => {
    const r = n.match!; r.prev!.next = r; if (r.next) r.next.prev = r;
    n.prev!.next = n; if (n.next) n.next.prev = n;
  };
  const words = Math.ceil(list.length / 32) || 1;
  const bits = new Uint32Array(words);
  const seen = new Set<string>();
  const stack: { node: Node; state: string | null }[] = [];
  let state: string | null = null;
  let entry = head.next;
  while (entry) {
    const o = list[entry.op]!;
    if (entry.call) {
      let ok: boolean;
      let next: string | null = state;
      if (o.kind === 'w') { ok = true; next = o.value; } else ok = o.value === state;
      if (ok) {
        bits[entry.op >> 5]! |= 1 << (entry.op & 31);
        const key = `${bits.join(',')}|${next}`;
        if (!seen.has(key)) {
          seen.add(key);
          stack.push({ node: entry, state });
          state = next;
          lift(entry);
          entry = head.next;
          continue;
        }
        bits[entry.op >> 5]! &= ~(1 << (entry.op & 31));
      }
      entry = entry.next;
    } else {
      // Every op left is an unanswered write (they sort last): each may simply never have happened.
      if (o.complete === Infinity) return true;
      const top = stack.pop();
      if (!top) return false;
      state = top.state;
      bits[top.node.op >> 5]! &= ~(1 << (top.node.op & 31));
      unlift(top.node);
      entry = top.node.next;
    }
  }
  return true;
}

/** The keys whose sub-history is not linearizable. */
export function nonLinearizableKeys(ops: readonly Op[]): string[] {
  const byKey = new Map<string, Op[]>();
  for (const o of ops) { const l = byKey.get(o.key) ?? []; l.push(o); byKey.set(o.key, l); }
  return [...byKey].filter(([, l]) => !linearizableRegister(l)).map(([k]) => k);
}
