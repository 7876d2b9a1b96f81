import { defineConfig } from 'vitest/config';

// `npm run test:faults`: the long fault scenarios under load and the soak (cluster mode on PostgreSQL and RabbitMQ);
// test/faults runs in `npm test` already. One file at a time: each starts a cluster, and CPU is the limit.
export default defineConfig({
  test: {
    include: ['test/faults-long/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
