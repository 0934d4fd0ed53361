import { defineConfig } from 'vitest/config';

// Two tiers, named by file: *.test.ts is pure logic, *.int.test.ts runs against the real local
// Kafka broker and schema registry (started by the global setup unless KAFKA_BROKERS is set).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{packages,services,bench,test}/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{packages,services,test}/**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['./test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // One broker on a 2-core machine: integration files run one after another.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
