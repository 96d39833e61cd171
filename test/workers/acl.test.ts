// ACL users in the Workers runtime: the AclObject keeps them, REST and WebSocket sessions obey them,
// tokens map to `default` / `readonly`, and a change reaches connections of the same isolate at once.
import { env } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { AclObject } from '../../src/objects/acl-store.js';
import { openResp, worker } from './ws-client.js';

const H = { Authorization: 'Bearer test-token' };
const RO = { Authorization: 'Bearer test-ro-token' };

async function call(argv: string[], headers: Record<string, string> = H): Promise<{ status: number; body: unknown }> {
  const r = await worker.fetch('http://kf/', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(argv) });
  return { status: r.status, body: await r.json() };
}

const connect = (headers: Record<string, string> = {}) => openResp(headers);

describe('ACL users on the Worker', () => {
  it('maps the tokens to users: default (full) and readonly (no writes, no admin)', async () => {
    expect(await call(['ACL', 'WHOAMI'])).toEqual({ status: 200, body: { result: 'default' } });
    expect(await call(['ACL', 'WHOAMI'], RO)).toEqual({ status: 200, body: { result: 'readonly' } });
    expect(await call(['SET', 'acl:ro', 'v'], RO)).toEqual({ status: 400, body: { error: "NOPERM this user has no permissions to run the 'set' command" } });
    expect(await call(['ACL', 'SETUSER', 'x'], RO)).toEqual({ status: 400, body: { error: "NOPERM this user has no permissions to run the 'acl|setuser' command" } });
    expect((await call(['GET', 'acl:ro'], RO)).status).toBe(200);
    const users = await call(['ACL', 'USERS']);
    expect(users.body).toEqual({ result: ['default', 'readonly'] });
  });

  it('authenticates ACL users over WebSocket (AUTH and HELLO AUTH) and enforces their rules', async () => {
    expect(await call(['ACL', 'SETUSER', 'wsu', 'on', '>s3cret', '~u:*', '&news', '+@all', '-flushall'])).toEqual({ status: 200, body: { result: 'OK' } });
    const c = await connect();
    expect(await c.cmd('AUTH', 'wsu', 'wrong')).toBe('-WRONGPASS invalid username-password pair or user is disabled.');
    expect(await c.cmd('AUTH', 'wsu', 's3cret')).toBe('+OK');
    expect(await c.cmd('ACL', 'WHOAMI')).toBe('$3\r\nwsu');
    expect(await c.cmd('SET', 'u:1', 'v')).toBe('+OK');
    expect(await c.cmd('SET', 'other', 'v')).toBe('-NOPERM this user has no permissions to access one of the keys used as arguments');
    expect(await c.cmd('FLUSHALL')).toBe("-NOPERM this user has no permissions to run the 'flushall' command");
    expect(await c.cmd('PUBLISH', 'sports', 'm')).toBe('-NOPERM this user has no permissions to access one of the channels used as arguments');
    // A change made through this isolate applies to the open connection at its next command.
    expect((await call(['ACL', 'SETUSER', 'wsu', '-set'])).status).toBe(200);
    expect(await c.cmd('SET', 'u:1', 'v')).toBe("-NOPERM this user has no permissions to run the 'set' command");
    // Disabled: new AUTHs fail at once.
    expect((await call(['ACL', 'SETUSER', 'wsu', 'off'])).status).toBe(200);
    const d = await connect();
    expect(await d.cmd('HELLO', '2', 'AUTH', 'wsu', 's3cret')).toBe('-WRONGPASS invalid username-password pair or user is disabled.');
    expect((await call(['ACL', 'SETUSER', 'wsu', 'on'])).status).toBe(200);
    expect(await d.cmd('HELLO', '3', 'AUTH', 'wsu', 's3cret')).toMatch(/^%7\r\n/);
    expect(await d.cmd('ACL', 'WHOAMI')).toBe('$3\r\nwsu');
    // Deleted: its connections are refused everything.
    expect(await call(['ACL', 'DELUSER', 'wsu'])).toEqual({ status: 200, body: { result: 1 } });
    expect(await c.cmd('GET', 'u:1')).toBe("-NOPERM this user has no permissions to run the 'get' command");
    c.ws.close();
    d.ws.close();
  });

  it('records denials in ACL LOG and keeps users in DO storage', async () => {
    await call(['ACL', 'LOG', 'RESET']);
    await call(['SET', 'acl:x', '1'], RO);
    const log = (await call(['ACL', 'LOG'])).body as { result: unknown[][] };
    expect(log.result.length).toBe(1);
    expect(log.result[0]!.slice(0, 10)).toEqual(['count', 1, 'reason', 'command', 'context', 'toplevel', 'object', 'set', 'username', 'readonly']);
    await call(['ACL', 'SETUSER', 'kept', 'on', 'nopass', '+get', '~k*']);
    const stub = env.ACL.get(env.ACL.idFromName('acl'));
    const stored = await runInDurableObject(stub, async (_o: AclObject, state) => state.storage.get<string[]>('users'));
    expect(stored).toContain('user kept on nopass ~k* resetchannels -@all +get');
    // The object restarts: users come back from storage.
    await evictDurableObject(stub);
    expect((await call(['ACL', 'SETUSER', 'kept2'])).status).toBe(200);
    expect((await call(['ACL', 'LIST'])).body).toEqual({ result: expect.arrayContaining(['user kept on nopass ~k* resetchannels -@all +get']) });
    expect((await call(['ACL', 'GETUSER', 'kept'])).body).toEqual({ result: ['flags', ['on', 'nopass'], 'passwords', [], 'commands', '-@all +get', 'keys', '~k*', 'channels', '', 'selectors', []] });
  });
});
