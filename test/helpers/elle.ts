// A list-append history checker in the manner of Jepsen's Elle: transactions of appends (RPUSH) and reads (LRANGE) are checked for serializability.
//
// Why list-append: a read returns the whole list, so it names every append before it and their
// order; each key's version order is then known, and the dependency graph of the transactions
// can be built without guessing: ww (an append and the next one), wr (the last element a read
// saw → the reader) and rw (a reader → the append right after what it saw). A cycle in that
// graph is a history no serial order explains. Also caught: reads that disagree on a key's order
// (not prefixes of one another), reads of values no committed transaction appended (aborted or
// unknown writes), and an element appended twice.

export type MicroOp = { f: 'append'; key: string; value: number } | { f: 'read'; key: string; value: number[] | null };

export interface Txn {
  id: number;
  /** 'ok': committed, its reads filled; 'fail': known not applied; 'info': outcome unknown. */
  type: 'ok' | 'fail' | 'info';
  ops: MicroOp[];
}

export interface Anomaly {
  kind: 'cycle' | 'incompatible-order' | 'aborted-read' | 'duplicate' | 'internal';
  detail: string;
}

type Edge = 'ww' | 'wr' | 'rw';

/** Check a history; an empty array means serializable (for what the reads reveal). */
export function checkListAppend(history: readonly Txn[]): Anomaly[] {
  const out: Anomaly[] = [];
  const ok = history.filter((t) => t.type === 'ok');
  const writer = new Map<string, Map<number, Txn>>(); // key → value → appending txn (any outcome)
  for (const t of history) {
    for (const op of t.ops) {
      if (op.f !== 'append') continue;
      let m = writer.get(op.key);
      if (!m) writer.set(op.key, (m = new Map()));
      if (m.has(op.value)) out.push({ kind: 'duplicate', detail: `${op.key}=${op.value} appended by T${m.get(op.value)!.id} and T${t.id}` });
      m.set(op.value, t);
    }
  }
  // Each key's version order: the longest read; every other read must be a prefix of it.
  const order = new Map<string, number[]>();
  for (const t of ok) {
    for (const op of t.ops) {
      if (op.f !== 'read' || !op.value) continue;
      const cur = order.get(op.key);
      if (!cur || op.value.length > cur.length) order.set(op.key, op.value);
    }
  }
  for (const t of ok) {
    // A transaction's reads see its own earlier appends last; strip them to get what it saw of others.
    const mine = new Map<string, number[]>();
    for (const op of t.ops) {
      if (op.f === 'append') {
        let l = mine.get(op.key);
        if (!l) mine.set(op.key, (l = []));
        l.push(op.value);
        continue;
      }
      const full = order.get(op.key) ?? [];
      const v = op.value ?? [];
      for (let i = 0; i < v.length; i++) {
        if (full[i] !== v[i]) {
          out.push({ kind: 'incompatible-order', detail: `T${t.id} read ${op.key}=${JSON.stringify(v)}, another read ${JSON.stringify(full)}` });
          break;
        }
      }
      for (const x of v) {
        const w = writer.get(op.key)?.get(x);
        if (!w) out.push({ kind: 'aborted-read', detail: `T${t.id} read ${op.key} element ${x} that nobody appended` });
        else if (w.type === 'fail') out.push({ kind: 'aborted-read', detail: `T${t.id} read ${op.key} element ${x} of failed T${w.id}` });
      }
      const own = mine.get(op.key) ?? [];
      if (own.length && JSON.stringify(v.slice(v.length - own.length)) !== JSON.stringify(own)) {
        out.push({ kind: 'internal', detail: `T${t.id} read ${op.key}=${JSON.stringify(v)} without its own appends ${JSON.stringify(own)} last` });
      }
    }
  }
  // The dependency graph over committed transactions.
  const edges = new Map<Txn, Map<Txn, Edge>>();
  const add = (a: Txn | undefined, b: Txn | undefined, e: Edge) => {
    if (!a || !b || a === b || a.type !== 'ok' || b.type !== 'ok') return;
    let m = edges.get(a);
    if (!m) edges.set(a, (m = new Map()));
    if (!m.has(b)) m.set(b, e);
  };
  for (const [key, vs] of order) {
    const w = writer.get(key);
    for (let i = 0; i + 1 < vs.length; i++) add(w?.get(vs[i]!), w?.get(vs[i + 1]!), 'ww');
  }
  for (const t of ok) {
    const ownCount = new Map<string, number>();
    for (const op of t.ops) {
      if (op.f === 'append') {
        ownCount.set(op.key, (ownCount.get(op.key) ?? 0) + 1);
        continue;
      }
      const w = writer.get(op.key);
      const seen = (op.value ?? []).slice(0, (op.value ?? []).length - (ownCount.get(op.key) ?? 0));
      if (seen.length) add(w?.get(seen[seen.length - 1]!), t, 'wr');
      // Every committed append it did not see came after it (lists only grow).
      const saw = new Set(op.value ?? []);
      for (const [v, wt] of w ?? []) if (!saw.has(v)) add(t, wt, 'rw');
    }
  }
  const cycle = findCycle(ok, edges);
  if (cycle) {
    const text = cycle.map((t, i) => `T${t.id} -${edges.get(t)!.get(cycle[(i + 1) % cycle.length]!)}->`).join(' ') + ` T${cycle[0]!.id}`;
    out.push({ kind: 'cycle', detail: text });
  }
  return out;
}

/** One cycle of the graph, or null (iterative DFS with colours). */
function findCycle(nodes: readonly Txn[], edges: Map<Txn, Map<Txn, Edge>>): Txn[] | null {
  const colour = new Map<Txn, 1 | 2>();
  for (const start of nodes) {
    if (colour.has(start)) continue;
    const stack: Array<{ n: Txn; it: Iterator<Txn> }> = [{ n: start, it: (edges.get(start)?.keys() ?? [][Symbol.iterator]()) as Iterator<Txn> }];
    colour.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const nx = top.it.next();
      if (nx.done) {
        colour.set(top.n, 2);
        stack.pop();
        continue;
      }
      const m = nx.value;
      const c = colour.get(m);
      if (c === 1) {
        const i = stack.findIndex((f) => f.n === m);
        return stack.slice(i).map((f) => f.n);
      }
      if (c === undefined) {
        colour.set(m, 1);
        stack.push({ n: m, it: (edges.get(m)?.keys() ?? [][Symbol.iterator]()) as Iterator<Txn> });
      }
    }
  }
  return null;
}
