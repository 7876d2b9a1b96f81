import { defineConfig } from 'vitest/config';

// `npm run test:faults`: the long fault scenarios under load (cluster mode on PostgreSQL and RabbitMQ).
export default defineConfig({
  test: {
    include: ['test/faults-long/**/*.test.ts', 'test/faults/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
