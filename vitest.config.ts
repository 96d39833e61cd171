// Node-side tests: unit tests of the pure layers and differential tests against real Redis.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/diff/**/*.test.ts'],
    setupFiles: ['test/fc-seed.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
