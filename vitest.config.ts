import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/setup/slow-first-sequencer';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // Terraform checks spawn terraform and a 700 MB provider; one file at a time per core is plenty.
    maxWorkers: 2,
    // One process per worker runs many files, so cdktf and the providers load once per worker
    // instead of once per file; test/setup/fresh-modules.ts re-evaluates the project's own modules
    // for each file. Measured in docs/performance.md, "The test suite".
    pool: 'forks',
    poolOptions: { forks: { isolate: false } },
    // A file's vi.stubEnv must not leak into the next file of the same process.
    unstubEnvs: true,
    // Concurrent suites (the real-broker files, which mostly wait on their servers) run three tests
    // at a time: each starts its own brokers, and more at once only adds CPU spikes on 2 cores.
    maxConcurrency: 3,
    reporters: ['default'],
    // The two-minute files start first, so they do not leave one worker alone at the end.
    sequence: { sequencer: SlowFirstSequencer },
    setupFiles: ['test/setup/fresh-modules.ts', 'test/setup/event-loop-guard.ts', 'test/setup/temp-dirs.ts'],
  },
});
