// Generates src/commands/redis-commands.json from a real redis-server's COMMAND INFO and COMMAND
// DOCS (RESP3), so the command table's facts are Redis's own. Run: node scripts/gen-commands.mjs
// (needs redis-server on PATH; the checked-in file came from Debian's 7.0.15).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';

const port = 20000 + Math.floor(Math.random() * 20000);
const srv = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });

/** A RESP3 reply parser that keeps what the table needs: maps as objects, sets/arrays as lists. */
function parse(buf, pos) {
  const nl = buf.indexOf('\r\n', pos);
  if (nl < 0) return null;
  const type = buf[pos];
  const line = buf.slice(pos + 1, nl);
  let p = nl + 2;
  switch (type) {
    case '+': case '-': return [type === '-' ? { error: line } : line, p];
    case ':': return [Number(line), p];
    case '_': return [null, p];
    case '$': case '=': {
      const n = Number(line);
      if (n < 0) return [null, p];
      if (buf.length < p + n + 2) return null;
      return [buf.slice(p + (type === '=' ? 4 : 0), p + n), p + n + 2];
    }
    case '*': case '~': case '%': {
      const n = Number(line) * (type === '%' ? 2 : 1);
      const items = [];
      for (let i = 0; i < n; i++) {
        const r = parse(buf, p);
        if (!r) return null;
        items.push(r[0]);
        p = r[1];
      }
      if (type !== '%') return [items, p];
      const o = {};
      for (let i = 0; i < items.length; i += 2) o[items[i]] = items[i + 1];
      return [o, p];
    }
    default: throw new Error(`unexpected RESP type ${type}`);
  }
}

function call(sock, cmds) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const out = [];
    const onData = (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const r = parse(buf, 0);
        if (!r) return;
        out.push(r[0]);
        buf = buf.slice(r[1]);
        if (out.length === cmds.length) {
          sock.off('data', onData);
          return resolve(out);
        }
      }
    };
    sock.on('data', onData);
    sock.once('error', reject);
    sock.write(cmds.map((c) => `*${c.length}\r\n${c.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`).join(''));
  });
}

async function connect() {
  for (let i = 0; i < 100; i++) {
    try {
      return await new Promise((res, rej) => { const s = net.connect(port, '127.0.0.1', () => res(s)); s.once('error', rej); });
    } catch { await new Promise((r) => setTimeout(r, 50)); }
  }
  throw new Error('redis-server did not start');
}

/** One COMMAND INFO entry as an object (recursing into subcommands). */
function info(e) {
  const [name, arity, flags, first, last, step, acl, tips, keySpecs, subs] = e;
  const o = { name, arity, flags, keys: [first, last, step], acl: acl.map((a) => a.replace(/^@/, '')) };
  if (tips.length) o.tips = tips;
  if (keySpecs.length) o.keySpecs = keySpecs;
  if (subs.length) o.sub = subs.map(info).sort((a, b) => (a.name < b.name ? -1 : 1));
  return o;
}

try {
  const sock = await connect();
  const [, version, infos, docs] = await call(sock, [['HELLO', '3'], ['INFO', 'server'], ['COMMAND', 'INFO'], ['COMMAND', 'DOCS']]);
  sock.end();
  const ver = /redis_version:(\S+)/.exec(version)[1];
  const commands = {};
  for (const e of infos) {
    const i = info(e);
    commands[i.name] = { ...i, docs: docs[i.name] };
  }
  const sorted = Object.fromEntries(Object.keys(commands).sort().map((k) => [k, commands[k]]));
  writeFileSync(new URL('../src/commands/redis-commands.json', import.meta.url), JSON.stringify({ version: ver, commands: sorted }, null, 0) + '\n');
  console.log(`wrote ${Object.keys(sorted).length} commands of redis ${ver}`);
} finally {
  srv.kill();
}
