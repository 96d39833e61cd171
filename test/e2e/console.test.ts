// The browser console (/console) in real headless chromium (playwright-core) against `npm start`:
// sign-in, every type in the data browser, edits, the command box (redis-cli's own output is the
// oracle), the slot strip, the read-only console, and bad input (wrong token, huge, binary, HTML).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { SlotMap } from '../../src/cluster/slot.js';

// The browser globals the page callbacks use (they run in chromium; this program has no DOM lib).
interface El { textContent: string | null; classList: { contains(c: string): boolean } }
declare const document: { querySelector(s: string): El | null; querySelectorAll(s: string): Iterable<El> & { length: number }; body: El };
declare const window: Record<string, unknown>;
declare function getComputedStyle(e: unknown): { backgroundColor: string };

// One server (npm start's), one browser for the file.
const target = inject('targets').find((t) => t.name.startsWith('npm start'))!;
const token = inject('token');
const roToken = inject('roToken');
const base = `http://127.0.0.1:${target.httpPort}`;
const run = `c${Date.now().toString(36)}`;
const k = (name: string) => `${run}:${name}`;
/** Screenshots land here (gitignored), for CI to keep as artifacts. */
const shots = join(process.cwd(), 'test-results', 'console');

let browser: Browser;
let redis: IORedis;
/** Uncaught errors in any tab: each test ends by asserting there were none. */
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  redis = new IORedis({ port: target.respPort, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  await redis.set(k('s'), 'hello');
  await redis.rpush(k('l'), 'a', 'b', 'c');
  await redis.hset(k('h'), 'f1', 'v1', 'f2', 'v2');
  await redis.sadd(k('set'), 'x', 'y');
  await redis.zadd(k('z'), 1, 'one', 2.5, 'two');
  await redis.xadd(k('x'), '1-1', 'field', 'value');
  await redis.set(k('html'), '<img src=x onerror="window.__xss=1">');
  await redis.set(`${run}:<b id="boldkey">b</b>`, 'x');
  await redis.set(Buffer.concat([Buffer.from(`${run}:bin`), Buffer.from([0xff, 0x00])]), Buffer.from([0x00, 0xff, 0x61, 0x01]));
  // Huge: a 2 MB string and a 100,000-element list.
  await redis.set(k('hugestr'), 'z'.repeat(2 * 1024 * 1024));
  for (let i = 0; i < 100_000; i += 10_000) await redis.rpush(k('biglist'), ...Array.from({ length: 10_000 }, (_, j) => `e${i + j}`));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  redis?.disconnect();
});

/** A fresh tab (its own session storage) signed in with `tok`. */
async function signedIn(tok: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${base}/console`);
  await page.fill('#token', tok);
  await page.click('#signin button[type=submit]');
  await page.waitForSelector('body.signed-in');
  return page;
}

async function scan(page: Page, pattern: string): Promise<string[]> {
  await page.fill('#pattern', pattern);
  await page.click('#scan');
  await page.waitForFunction(() => !document.querySelector('#keys')!.textContent!.includes('scanning'));
  return page.$$eval('#keys tr.key td:first-child', (tds) => tds.map((td) => td.textContent!));
}

async function open(page: Page, shownName: string): Promise<void> {
  await page.locator('#keys tr.key td:first-child span').getByText(shownName, { exact: true }).click();
  await page.waitForFunction(() => /\d/.test(document.querySelector('#key-size')?.textContent ?? ''));
  await page.waitForSelector('#value table, #value pre');
}

/** Wait until the first element matching `sel` has exactly this text. */
const waitText = (page: Page, sel: string, text: string) =>
  page.waitForFunction(([q, t]) => document.querySelector(q!)?.textContent === t, [sel, text]);

const cellTexts = (page: Page, sel: string) => page.$$eval(sel, (els) => els.map((e) => e.textContent!));

/** redis-cli's terminal output (--no-raw) of a command against keyflare: the command box's oracle. */
function redisCli(...args: string[]): string {
  const r = spawnSync('redis-cli', ['-p', String(target.respPort), '--no-raw', ...args], { encoding: 'utf8' });
  return r.stdout.replace(/\n$/, '');
}

describe('the console in headless chromium', () => {
  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  it('serves the page without a token, nothing else: a wrong token is refused by the server', async () => {
    const page = await (await browser.newContext()).newPage();
    const res = await page.goto(`${base}/console`);
    expect(res!.status()).toBe(200);
    expect(res!.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.fill('#token', 'not-the-token');
    await page.click('#signin button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#signin-msg')!.textContent!.startsWith('Sign-in refused'));
    // Redis's own AUTH error text.
    expect(await page.textContent('#signin-msg')).toBe('Sign-in refused: WRONGPASS invalid username-password pair or user is disabled.');
    expect(await page.evaluate(() => document.body.classList.contains('signed-in'))).toBe(false);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.close();
  });

  it('signs in (token in session storage only), lists keys of every type and shows each value', async () => {
    const page = await signedIn(token);
    expect(page.url()).toBe(`${base}/console`);
    expect(await page.evaluate(() => Object.values(sessionStorage))).toContain(token);
    expect(await page.textContent('#who')).toBe('signed in as default');
    const keys = await scan(page, `${run}:*`);
    for (const n of ['s', 'l', 'h', 'set', 'z', 'x']) expect(keys).toContain(k(n));
    await page.waitForFunction(() => [...document.querySelectorAll('#keys td.type')].every((t) => t.textContent !== ''));
    const types = new Map<string, string>();
    for (const row of await page.$$eval('#keys tr.key', (rs) => rs.map((r) => [r.children[0]!.textContent!, r.children[1]!.textContent!] as const))) types.set(row[0], row[1]);
    const typeOf = async (name: string) => types.get(name);
    expect([await typeOf(k('s')), await typeOf(k('l')), await typeOf(k('h')), await typeOf(k('set')), await typeOf(k('z')), await typeOf(k('x'))]).toEqual(['string', 'list', 'hash', 'set', 'zset', 'stream']);
    // The type filter is SCAN's TYPE.
    await page.selectOption('#type', 'hash');
    await page.waitForFunction(() => document.querySelectorAll('#keys tr.key').length === 1);
    expect(await cellTexts(page, '#keys tr.key td:first-child')).toEqual([k('h')]);
    await page.selectOption('#type', '');
    await scan(page, `${run}:*`);

    await open(page, k('s'));
    expect(await page.textContent('#string-value')).toBe('hello');
    expect(await page.textContent('#key-encoding')).toBe(await redis.object('ENCODING', k('s')));
    expect(await page.textContent('#key-size')).toBe('5 bytes');
    expect(await page.textContent('#key-ttl')).toBe('no expiry');
    expect(await page.textContent('#key-memory')).toMatch(/^\d+ B$/);
    await page.click('#mode-hex');
    await page.waitForSelector('pre.hex');
    expect(await page.textContent('pre.hex')).toBe('00000000  68 65 6c 6c 6f');

    await open(page, k('l'));
    expect(await cellTexts(page, '#value td.v')).toEqual(['a', 'b', 'c']);
    await open(page, k('h'));
    expect(await cellTexts(page, '#value tbody tr td:first-child')).toEqual(expect.arrayContaining(['f1', 'f2']));
    await open(page, k('set'));
    expect((await cellTexts(page, '#value td.v')).sort()).toEqual(['x', 'y']);
    await open(page, k('z'));
    expect(await cellTexts(page, '#value tbody tr td:nth-child(2)')).toEqual(['one', 'two']);
    expect(await cellTexts(page, '#value td.v')).toEqual(['1', '2.5']);
    await open(page, k('x'));
    expect(await cellTexts(page, '#value tbody tr td')).toEqual(['1-1', 'field = value']);
    await page.close();
  });

  it('edits a hash field, renames, sets a TTL and deletes with confirmation', async () => {
    await redis.hset(k('edit'), 'f', 'old', 'g', 'keep');
    const page = await signedIn(token);
    await scan(page, k('edit'));
    await open(page, k('edit'));
    await page.locator('#value tbody tr').filter({ has: page.getByText('f', { exact: true }) }).locator('.edit-btn').click();
    await page.fill('#value textarea', 'new value');
    await page.click('#value .save-btn');
    await page.getByText('new value', { exact: true }).waitFor();
    expect(await redis.hgetall(k('edit'))).toEqual({ f: 'new value', g: 'keep' });

    await page.fill('#ttl-s', '300');
    await page.click('#set-ttl');
    await waitText(page, '#key-ttl', '5 min');
    expect(await redis.ttl(k('edit'))).toBeGreaterThan(290);

    await page.fill('#rename-to', k('edited'));
    await page.click('#rename');
    await waitText(page, '#key-name', k('edited'));
    expect(await redis.exists(k('edit'), k('edited'))).toBe(1);

    await page.click('#delete');
    expect(await redis.exists(k('edited'))).toBe(1); // asked first
    await page.click('#delete-yes');
    await page.waitForFunction(() => !document.querySelector('#key-name'));
    expect(await redis.exists(k('edited'))).toBe(0);
    await page.close();
  });

  it("runs commands and prints replies as redis-cli does, with history and the server's errors", async () => {
    const page = await signedIn(token);
    await page.click('nav button[data-tab=command]');
    const commands = [
      `SET ${k('cmd')} "a b\\x01"`,
      `GET ${k('cmd')}`,
      `LRANGE ${k('l')} 0 -1`,
      `ZRANGE ${k('z')} 0 -1 WITHSCORES`,
      `XRANGE ${k('x')} - +`,
      `GET ${k('nothing')}`,
      `LRANGE ${k('nothing')} 0 -1`,
      `HLEN ${k('h')}`,
      `NOSUCHCOMMAND x`,
      `INCR ${k('s')}`,
    ];
    const argvs = [
      ['SET', k('cmd'), 'a b\x01'], ['GET', k('cmd')], ['LRANGE', k('l'), '0', '-1'], ['ZRANGE', k('z'), '0', '-1', 'WITHSCORES'],
      ['XRANGE', k('x'), '-', '+'], ['GET', k('nothing')], ['LRANGE', k('nothing'), '0', '-1'], ['HLEN', k('h')], ['NOSUCHCOMMAND', 'x'], ['INCR', k('s')],
    ];
    for (const c of commands) {
      const before = await page.$$eval('#cmd-out pre.reply', (p) => p.length);
      await page.fill('#cmd', c);
      await page.press('#cmd', 'Enter');
      await page.waitForFunction((n) => document.querySelectorAll('#cmd-out pre.reply').length > n, before);
    }
    const replies = await cellTexts(page, '#cmd-out pre.reply');
    // redis-cli runs the same commands after the page did (SET first, so GET sees its value).
    expect(replies).toEqual(argvs.map((a) => redisCli(...a)));
    expect(replies[8]).toMatch(/^\(error\) ERR unknown command 'NOSUCHCOMMAND'/);
    // History: ↑ recalls the last command.
    await page.press('#cmd', 'ArrowUp');
    expect(await page.inputValue('#cmd')).toBe(commands[commands.length - 1]);
    await page.close();
  });

  it('shows the 16384 slots as a strip coloured by shard, with keys per shard, live', async () => {
    const page = await signedIn(token);
    await page.click('nav button[data-tab=cluster]');
    await page.waitForSelector('#strip .seg');
    const slots = new SlotMap(4);
    const titles = await page.$$eval('#strip .seg', (s) => s.map((e) => e.getAttribute('title')));
    expect(titles).toEqual(slots.ranges.map(([lo, hi], i) => `slots ${lo}–${hi} → shard ${i}`));
    const colours = await page.$$eval('#strip .seg', (s) => s.map((e) => getComputedStyle(e).backgroundColor));
    expect(new Set(colours).size).toBe(4);
    const widths = await page.$$eval('#strip .seg', (s) => s.map((e) => e.getBoundingClientRect().width));
    const strip = await page.$eval('#strip', (e) => e.getBoundingClientRect().width);
    expect(Math.abs(widths.reduce((a, b) => a + b, 0) - strip)).toBeLessThan(2);
    // Keys per shard add up to DBSIZE; a new key shows up without a reload.
    const sum = async () => (await cellTexts(page, '.shard .keys')).reduce((a, t) => a + Number(/keys: (\d+)/.exec(t)![1]), 0);
    expect(await sum()).toBe(await redis.dbsize());
    await redis.set(k('live'), '1');
    const want = await redis.dbsize();
    await page.waitForFunction(async (n) => {
      const t = [...document.querySelectorAll('.shard .keys')].map((e) => Number(/keys: (\d+)/.exec(e.textContent!)![1]));
      return t.reduce((a, b) => a + b, 0) === n;
    }, want, { timeout: 10_000 });
    await page.screenshot({ path: join(shots, 'cluster.png'), fullPage: true });
    await page.click('nav button[data-tab=stats]');
    await page.waitForFunction(() => document.querySelectorAll('#charts .chart').length === 5);
    expect(await cellTexts(page, '#charts h3')).toEqual(expect.arrayContaining([expect.stringMatching(/^ops\/s: /), expect.stringMatching(/^hit rate: /)]));
    await page.screenshot({ path: join(shots, 'stats.png'), fullPage: true });
    await page.close();
  });

  it('the read-only token gets a read-only console: no delete, and the server refuses a DEL', async () => {
    const page = await signedIn(roToken);
    expect(await page.evaluate(() => document.body.classList.contains('readonly'))).toBe(true);
    await scan(page, k('s'));
    await open(page, k('s'));
    expect(await page.isVisible('#delete')).toBe(false);
    expect(await page.isVisible('#edit-string')).toBe(false);
    await page.click('nav button[data-tab=command]');
    await page.fill('#cmd', `DEL ${k('s')}`);
    await page.press('#cmd', 'Enter');
    await page.waitForSelector('#cmd-out pre.reply');
    expect(await page.textContent('#cmd-out pre.reply')).toBe("(error) NOPERM this user has no permissions to run the 'del' command");
    expect(await redis.exists(k('s'))).toBe(1);
    await page.close();
  });

  it('pages a huge list and a huge string without freezing the tab', async () => {
    const page = await signedIn(token);
    await scan(page, k('big*'));
    const t0 = Date.now();
    await open(page, k('biglist'));
    expect(await page.textContent('#key-size')).toBe('100000 elements');
    expect(await page.$$eval('#value td.v', (c) => c.length)).toBe(50);
    expect(await page.textContent('#value .vpage')).toBe(' 0–50 of 100000 ');
    await page.click('#value .vnext');
    await waitText(page, '#value .vpage', ' 50–100 of 100000 ');
    expect(await page.textContent('#value td.v')).toBe('e50');
    await scan(page, k('huge*'));
    await open(page, k('hugestr'));
    expect(await page.textContent('#key-size')).toBe(`${2 * 1024 * 1024} bytes`);
    expect((await page.textContent('#string-value'))!.length).toBe(4096);
    expect(await page.textContent('#value .vpage')).toBe(' 0–4096 of 2097152 ');
    expect(await page.textContent('#value')).toContain('too long to edit here');
    // The tab answers at once, and the whole walk took seconds, not a 2 MB render.
    const e0 = Date.now();
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
    expect(Date.now() - e0).toBeLessThan(1000);
    expect(Date.now() - t0).toBeLessThan(15_000);
    await page.screenshot({ path: join(shots, 'huge.png') });
    await page.close();
  });

  it('shows binary keys and values as escaped bytes and edits them without corruption', async () => {
    const page = await signedIn(token);
    const keys = await scan(page, `${run}:bin*`);
    expect(keys).toEqual([`"${run}:bin\\xff\\x00"`]);
    await open(page, keys[0]!);
    expect(await page.textContent('#string-value')).toBe('"\\x00\\xffa\\x01"');
    const binKey = Buffer.concat([Buffer.from(`${run}:bin`), Buffer.from([0xff, 0x00])]);
    // Saved unchanged: the same bytes.
    await page.click('#edit-string');
    await page.click('#save-string');
    await page.waitForSelector('#string-editor', { state: 'detached' });
    expect(await redis.getBuffer(binKey)).toEqual(Buffer.from([0x00, 0xff, 0x61, 0x01]));
    // Edited in its escaped form.
    await page.click('#edit-string');
    await page.fill('#string-editor', '"\\x00\\xfeb\\n\\\\"');
    await page.click('#save-string');
    await page.waitForFunction((t) => document.querySelector('#string-value')?.textContent === t, '"\\x00\\xfeb\\n\\\\"');
    expect(await redis.getBuffer(binKey)).toEqual(Buffer.from([0x00, 0xfe, 0x62, 0x0a, 0x5c]));
    await page.screenshot({ path: join(shots, 'data-browser.png'), fullPage: true });
    await page.close();
  });

  it('shows HTML in names and values as text: no element is made, no script runs', async () => {
    const page = await signedIn(token);
    const keys = await scan(page, `${run}:<*`);
    expect(keys).toEqual([`${run}:<b id="boldkey">b</b>`]);
    expect(await page.$('#boldkey')).toBeNull();
    await scan(page, k('html'));
    await open(page, k('html'));
    expect(await page.textContent('#string-value')).toBe('<img src=x onerror="window.__xss=1">');
    await page.click('#mode-json');
    await page.click('#mode-text');
    await page.waitForSelector('#string-value');
    expect(await page.$$('img')).toEqual([]);
    expect(await page.evaluate(() => window.__xss)).toBeUndefined();
    // In the command box too.
    await page.click('nav button[data-tab=command]');
    await page.fill('#cmd', `GET ${k('html')}`);
    await page.press('#cmd', 'Enter');
    await page.waitForSelector('#cmd-out pre.reply');
    expect(await page.textContent('#cmd-out pre.reply')).toBe('"<img src=x onerror=\\"window.__xss=1\\">"');
    expect(await page.$$('img')).toEqual([]);
    expect(await page.evaluate(() => window.__xss)).toBeUndefined();
    await page.close();
  });
});
