import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // Terraform checks spawn terraform and a 700 MB provider; one file at a time per core is plenty.
    maxWorkers: 2,
    reporters: ['default'],
    setupFiles: ['test/setup/event-loop-guard.ts'],
  },
});
