import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'bench/**/*.test.ts',
      'packages/**/*.test.ts',
      'services/**/*.test.ts',
      'apps/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    // The long fault scenarios run with `npm run test:faults`.
    exclude: ['**/node_modules/**', 'test/faults-long/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
