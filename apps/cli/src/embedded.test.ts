import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@bazaar/kit/database';
import { envelope } from '@bazaar/kit/messaging';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbedded } from './embedded.ts';

const root = mkdtempSync(join(tmpdir(), 'bazaar-embedded-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const start = (dataRoot: string) =>
  startEmbedded({
    dataRoot,
    cacheDir: join(root, 'cache'),
    admin: { email: 'admin@bazaar.test', password: 'admin-password' },
    gateway: { port: 0, rateLimitRps: 0 },
    ports: { users: 0, inventory: 0, orders: 0, payments: 0, shipping: 0, jazzcash: 0, easypaisa: 0 },
    logLevel: 'silent',
  });

describe('the embedded platform on disk', () => {
  it('keeps every service in one PGlite, a schema each', async () => {
    const dataRoot = join(root, 'fresh');
    const platform = await start(dataRoot);
    await platform.stop();

    expect(platform.databases).toContain('a schema per service');
    expect(existsSync(join(dataRoot, 'pglite', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataRoot, 'orders'))).toBe(false);
  });

  it('seeds the starter catalogue on a first start, unless INVENTORY_SEED=false', async () => {
    const productsIn = async (dataRoot: string) => {
      const platform = await start(dataRoot);
      try {
        return (await (await fetch(`${platform.gatewayUrl}/api/products?limit=100`)).json()).items.length;
      } finally {
        await platform.stop();
      }
    };
    expect(await productsIn(join(root, 'seeded'))).toBeGreaterThanOrEqual(8);
    process.env.INVENTORY_SEED = 'false';
    try {
      expect(await productsIn(join(root, 'unseeded'))).toBe(0);
    } finally {
      delete process.env.INVENTORY_SEED;
    }
  });

  it('keeps a dead letter across a restart, for the replay that the fix deployed by the restart is for', async () => {
    const dataRoot = join(root, 'dead');
    // A summary no read model can store (its total is no number): the users consumer fails on it every time.
    const poison = envelope('orders', {
      type: 'OrderStatusChanged',
      subject: 'ord_poison',
      data: { orderId: 'ord_poison', userId: 'usr_x', status: 'CONFIRMED', total: { amount: 'lots' }, version: 2 },
    });
    const first = await start(dataRoot);
    try {
      await first.platform.broker.publish(poison);
    } finally {
      await first.stop();
    }
    const again = await start(dataRoot);
    try {
      expect(await again.platform.broker.deadLetters()).toMatchObject([
        { consumer: 'users', event: { id: poison.id } },
      ]);
    } finally {
      await again.stop();
    }
  });

  it("keeps using an older Bazaar's data directory, a PGlite per service, rather than start empty beside it", async () => {
    const dataRoot = join(root, 'older');
    const older = await openDatabase({ dataDir: join(dataRoot, 'orders') });
    await older.exec(
      "CREATE TABLE left_by_an_older_bazaar (note text); INSERT INTO left_by_an_older_bazaar VALUES ('kept')",
    );
    await older.close();

    const platform = await start(dataRoot);
    await platform.stop();

    expect(platform.databases).toContain('an older layout');
    expect(existsSync(join(dataRoot, 'pglite'))).toBe(false);
    const orders = await openDatabase({ dataDir: join(dataRoot, 'orders') });
    try {
      expect(await orders.query('SELECT note FROM left_by_an_older_bazaar')).toEqual([{ note: 'kept' }]);
      expect((await orders.query('SELECT count(*)::int AS n FROM sagas'))[0].n).toBe(0);
    } finally {
      await orders.close();
    }
  });
});
