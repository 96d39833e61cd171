// Tests that run inside workerd (Cloudflare's vitest plugin): the shard DO, REST and WebSocket routes.
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: { KEYFLARE_TOKEN: 'test-token', KEYFLARE_READONLY_TOKEN: 'test-ro-token', SHARDS: '4' },
      },
    }),
  ],
  test: {
    include: ['test/workers/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
