// The apps' dev servers (`npm run dev -w @bazaar/storefront`, `… @bazaar/console`) as a developer starts them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createServer } from 'vite';
import { expect, it } from 'vitest';

const apps = join(import.meta.dirname, '../..');

it.each(['storefront', 'console'])(
  'the %s dev server scans its dependencies without a warning (the shared Link was taken for React JSX)',
  async (app) => {
    const said: string[] = [];
    const logger = createLogger('warn');
    const record = (message: string) => void said.push(message);
    const cacheDir = mkdtempSync(join(tmpdir(), `bazaar-vite-${app}-`));
    const server = await createServer({
      root: join(apps, app),
      configFile: join(apps, app, 'vite.config.ts'),
      cacheDir,
      customLogger: { ...logger, warn: record, warnOnce: record, error: record },
      server: { port: 0, host: '127.0.0.1' },
    });
    try {
      await server.listen();
      // The scan runs once the server listens: it ends with the dependencies it found, or with a warning.
      const optimized = () => Object.keys(server.environments.client.depsOptimizer?.metadata.optimized ?? {});
      await expect.poll(() => said.length > 0 || optimized().length > 0, { timeout: 20_000 }).toBe(true);
      expect(said).toEqual([]);
      expect(optimized()).toContain('preact');
    } finally {
      await server.close();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  },
  60_000,
);
