// Tests that run inside workerd (Cloudflare's vitest plugin): the shard DO, REST and WebSocket routes.
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          KEYFLARE_TOKEN: 'test-token',
          KEYFLARE_READONLY_TOKEN: 'test-ro-token',
          SHARDS: '4',
          // No replica DOs unless a test makes a group (test/workers/replication.test.ts: replicate()).
          KEYFLARE_REPLICAS: '0',
          // The benchmark floors exist, so test/workers/route-acl.test.ts checks they need a token.
          KEYFLARE_BENCH: '1',
          // Crash points in test/workers/crash.test.ts (CI default 1000; raise for long runs).
          KF_CRASH_ROUNDS: process.env.KF_CRASH_ROUNDS ?? '1000',
          // Crash points in test/workers/txn-faults.test.ts (CI default 500; raise for long runs).
          KF_TXN_CRASH_ROUNDS: process.env.KF_TXN_CRASH_ROUNDS ?? '500',
        },
      },
    }),
  ],
  // fengari (scripting's Lua VM) loads readline-sync for its debug REPL where `process` exists, as
  // in this pool; its native binding is not there. wrangler.toml's [alias] does the same for builds.
  resolve: { alias: { 'readline-sync': new URL('./src/scripting/node-stub.cjs', import.meta.url).pathname } },
  test: {
    include: ['test/workers/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
