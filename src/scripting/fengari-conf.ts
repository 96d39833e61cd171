// fengari's build options, set before fengari loads (it reads process.env.FENGARICONF once).
// LUA_COMPAT_FLOATSTRING prints integral floats as Lua 5.1 does ("5", not "5.0"): Redis runs 5.1.
// Under Node and vitest-pool-workers `process` exists; the deployed bundle gets the same text from
// wrangler.toml's [define] (workerd has no `process` there).
const CONF = '{"LUA_COMPAT_FLOATSTRING":true}';
const g = globalThis as { process?: { env?: Record<string, string | undefined> } };
if (g.process?.env && g.process.env.FENGARICONF === undefined) g.process.env.FENGARICONF = CONF;
export {};
