import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests that start host processes bind real ports; files run in parallel, tests within a file in order.
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
  },
});
