import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests open real TLS sockets on loopback; keep them isolated per file but bounded.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Two files at a time on the 2-core CI machine: the suite's real-time tests use generous bounds, and the serial
    // run (one worker, vitest's default here) took 4 min of the 5-min budget.
    maxWorkers: 2,
  },
});
