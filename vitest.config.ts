import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One real PostgreSQL and one real Meilisearch for the run (started here, stopped at the end);
    // each test file gets its own database cloned from a migrated template and its own index prefix.
    globalSetup: ['test/support/global-setup.ts'],
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
