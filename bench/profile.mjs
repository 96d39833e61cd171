// `node bench/profile.mjs [tests] [pipeline]`: a CPU profile of the workerd JavaScript thread
// (Worker + shard Durable Objects) while redis-benchmark drives the RESP path through the bridge.
// Prints self time per function (top 25) and per source file, so the cost of each layer shows.
import WebSocket from 'ws';
import { freePort, redisBenchmark, startBridge, stopAll } from './lib.mjs';
import { localToken, serve } from '../bin/keyflare.mjs';

const tests = process.argv[2] ?? 'get,set';
const pipeline = Number(process.argv[3] ?? 1);
const inspectorPort = await freePort();
const s = await serve({ port: await freePort(), inspectorPort, persistTo: `/tmp/kf-profile-${process.pid}` });
const { port: bridge } = await startBridge(`ws://127.0.0.1:${s.port}/resp`, localToken());
await redisBenchmark(bridge, { tests, pipeline, requests: 5000 }); // warm-up

const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
const target = targets.find((t) => String(t.webSocketDebuggerUrl).includes('keyflare')) ?? targets[0];
const ws = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((r) => ws.once('open', r));
let id = 0;
const pending = new Map();
ws.on('message', (d) => {
  const m = JSON.parse(d.toString());
  if (m.id && pending.has(m.id)) pending.get(m.id)(m.result);
});
const call = (method, params = {}) => new Promise((r) => (pending.set(++id, r), ws.send(JSON.stringify({ id, method, params }))));

await call('Profiler.enable');
await call('Profiler.setSamplingInterval', { interval: 100 });
await call('Profiler.start');
const rps = await redisBenchmark(bridge, { tests, pipeline, requests: pipeline === 1 ? 20000 : 200000 });
const { profile } = await call('Profiler.stop');
ws.close();

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
profile.samples.forEach((nid, i) => self.set(nid, (self.get(nid) ?? 0) + (dt[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fn = new Map();
const file = new Map();
for (const [nid, us] of self) {
  const cf = byId.get(nid).callFrame;
  const f = (cf.url || '(native)').split('/').pop();
  const name = `${cf.functionName || '(anonymous)'} ${f}:${cf.lineNumber + 1}`;
  fn.set(name, (fn.get(name) ?? 0) + us);
  file.set(f, (file.get(f) ?? 0) + us);
}
const pct = (us) => ((100 * us) / total).toFixed(1).padStart(5) + '%';
console.log(`redis-benchmark -t ${tests} -P ${pipeline}:`, rps);
console.log(`\nself time by function (top 25 of ${fn.size}), ${(total / 1e6).toFixed(2)} s sampled:`);
for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(pct(v), k);
console.log('\nself time by file:');
for (const [k, v] of [...file].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(pct(v), k);
await s.dispose();
await stopAll();
process.exit(0);
