import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests open real TLS sockets on loopback; keep them isolated per file but bounded.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Three files at a time on the 2-core CI machine: most files mostly wait (real sockets, real timers, child
    // processes), so a third worker fills the idle core time — measured 1.5 cores busy on average, the whole suite in
    // 276 s instead of 405 s with two. The real-time tests use generous bounds and judge on-CPU, not wall, time where
    // the OS scheduler would otherwise be blamed (flood-fairness). Four were tried (2026-12-02): 239 and 256 s, more
    // contention for the real-time tests and not enough gained to be worth it; three stays.
    maxWorkers: 3,
  },
});
