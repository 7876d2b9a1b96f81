import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresOrSkip, scratchDatabases } from '../testing/postgres.ts';
import { type Db, openDatabase } from './db.ts';
import { preparer } from './prepared.ts';

const server = await postgresOrSkip();
const scratch = server ? scratchDatabases(server) : undefined;
const opened: Db[] = [];

afterAll(async () => {
  for (const db of opened) await db.close();
  await scratch?.drop();
});

async function fresh(poolSize: number): Promise<{ db: Db; url: string }> {
  const { url } = await scratch!.create('kit_prep');
  const db = await openDatabase({ url, poolSize });
  opened.push(db);
  return { db, url };
}

describe('naming statements', () => {
  it('gives each distinct text one name, and leaves the texts beyond the bound unnamed', () => {
    const named = preparer(2);
    expect([named('SELECT 1').name, named('SELECT 2').name, named('SELECT 1').name]).toEqual(['s1', 's2', 's1']);
    expect(named('SELECT 3', [1])).toEqual({ name: undefined, text: 'SELECT 3', values: [1] });
  });
});

describe.runIf(server)('prepared statements on PostgreSQL', () => {
  it('are prepared once per connection and run again by name', async () => {
    const { db } = await fresh(1);
    for (let i = 0; i < 3; i++) expect(await db.query('SELECT $1::int AS n', [i])).toEqual([{ n: i }]);
    const held = await db.transaction((tx) => tx.query('SELECT name, statement FROM pg_prepared_statements'));
    expect(held).toContainEqual({ name: 's1', statement: 'SELECT $1::int AS n' });
  });

  it('when a migration adds a column under SELECT *, statements and transactions answer with it', async () => {
    const { db, url } = await fresh(1);
    await db.exec("CREATE TABLE items (id text PRIMARY KEY); INSERT INTO items VALUES ('a')");
    const one = () => db.query('SELECT * FROM items WHERE id = $1', ['a']);
    let runs = 0;
    const inTx = () =>
      db.transaction(async (tx) => {
        runs++;
        return tx.query('SELECT * FROM items WHERE id = $1 FOR UPDATE', ['a']);
      });
    // Another process migrates: the plans this handle's connection holds no longer match the table.
    const migrate = async (sql: string) => {
      const other = new pg.Client({ connectionString: url });
      await other.connect();
      await other.query(sql);
      await other.end();
    };
    expect(await one()).toEqual([{ id: 'a' }]);
    await migrate("ALTER TABLE items ADD COLUMN note text NOT NULL DEFAULT ''");
    expect(await one()).toEqual([{ id: 'a', note: '' }]);
    expect(await inTx()).toEqual([{ id: 'a', note: '' }]);
    await migrate('ALTER TABLE items ADD COLUMN n int NOT NULL DEFAULT 0');
    runs = 0;
    expect(await inTx()).toEqual([{ id: 'a', note: '', n: 0 }]);
    expect(runs).toBe(2);
  });

  it('a failing statement inside a transaction is not retried', async () => {
    const { db } = await fresh(1);
    let runs = 0;
    const failing = db.transaction(async (tx) => {
      runs++;
      return tx.query('SELECT * FROM missing WHERE id = $1', ['a']);
    });
    await expect(failing).rejects.toMatchObject({ code: '42P01' });
    expect(runs).toBe(1);
  });
});
