import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from './migrate.ts';
import { type SharedPglite, sharedPglite } from './pglite.ts';

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The same migrations for two services: tables of one name, which only their schemas keep apart. */
function migrations(): string {
  const dir = tempDir('bazaar-migrations-');
  writeFileSync(join(dir, '001_init.sql'), 'CREATE TABLE outbox (id text PRIMARY KEY, owner text NOT NULL);');
  return dir;
}

describe('one PGlite shared by several services', () => {
  it("keeps each service's tables in its own schema, however their work interleaves", async () => {
    const shared = sharedPglite('memory://');
    try {
      const [orders, payments] = [await shared.open('orders'), await shared.open('payments')];
      const dir = migrations();
      expect(await migrate(orders, dir)).toEqual([1]);
      expect(await migrate(payments, dir)).toEqual([1]);

      // Started together: each statement and transaction finds its own service's tables.
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => {
          const [db, owner] = i % 2 ? [orders, 'orders'] : [payments, 'payments'];
          return i % 4 < 2
            ? db.query('INSERT INTO outbox VALUES ($1, $2)', [`e${i}`, owner])
            : db.transaction(async (tx) => {
                await tx.query('INSERT INTO outbox VALUES ($1, $2)', [`e${i}`, owner]);
                await tx.query('SELECT count(*) FROM outbox');
              });
        }),
      );
      const owners = async (db: typeof orders) => [
        ...new Set((await db.query('SELECT owner FROM outbox')).map((r) => r.owner)),
      ];
      expect(await owners(orders)).toEqual(['orders']);
      expect(await owners(payments)).toEqual(['payments']);
      expect(await orders.query('SELECT count(*)::int AS n FROM outbox')).toEqual([{ n: 10 }]);
    } finally {
      await shared.close();
    }
  });

  it('a rolled-back transaction leaves the next piece of work in its own schema', async () => {
    const shared = sharedPglite('memory://');
    try {
      const [users, shipping] = [await shared.open('users'), await shared.open('shipping')];
      await users.exec('CREATE TABLE marks (n integer)');
      await shipping.exec('CREATE TABLE marks (n integer)');
      const failed = users.transaction(async (tx) => {
        await tx.query('INSERT INTO marks VALUES (1)');
        throw new Error('changed my mind');
      });
      const written = shipping.query('INSERT INTO marks VALUES (2)');
      await expect(failed).rejects.toThrow('changed my mind');
      await written;
      await users.query('INSERT INTO marks VALUES (3)');
      expect(await users.query('SELECT n FROM marks')).toEqual([{ n: 3 }]);
      expect(await shipping.query('SELECT n FROM marks')).toEqual([{ n: 2 }]);
    } finally {
      await shared.close();
    }
  });

  it('keeps every schema on disk across a restart, and refuses a schema name that is not an identifier', async () => {
    const dataDir = join(tempDir('bazaar-shared-'), 'pglite');
    let shared: SharedPglite = sharedPglite(dataDir);
    await (await shared.open('inventory')).exec(
      "CREATE TABLE stock (sku text); INSERT INTO stock VALUES ('AJRAK-001')",
    );
    await shared.close();

    shared = sharedPglite(dataDir);
    try {
      expect(await (await shared.open('inventory')).query('SELECT sku FROM stock')).toEqual([{ sku: 'AJRAK-001' }]);
      await expect(shared.open('orders; DROP SCHEMA inventory')).rejects.toThrow('not a schema name');
    } finally {
      await shared.close();
    }
  });
});
