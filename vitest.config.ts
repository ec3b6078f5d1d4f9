import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Two cores in CI: fork pool with two workers keeps memory and steal time in check.
    pool: 'forks',
    maxWorkers: 2,
  },
});
