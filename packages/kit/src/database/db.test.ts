import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresOrSkip, scratchDatabases } from '../testing/postgres.ts';
import { type Db, openDatabase } from './db.ts';
import { migrate } from './migrate.ts';

const server = await postgresOrSkip();
const scratch = server ? scratchDatabases(server) : undefined;
const opened: Db[] = [];

const kinds: [string, () => Promise<Db>][] = [['PGlite', () => openDatabase({ dataDir: 'memory://' })]];
if (server) kinds.push(['PostgreSQL', async () => openDatabase({ url: (await scratch!.create('kit_db')).url })]);

afterAll(async () => {
  for (const db of opened) await db.close();
  await scratch?.drop();
});

function migrations(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bazaar-migrations-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

describe.each(kinds)('the database layer on %s', (_kind, open) => {
  it('applies numbered migrations once, in order, and returns int8 as numbers', async () => {
    const db = await open();
    opened.push(db);
    const dir = migrations({
      '001_items.sql':
        "CREATE TABLE items (id text PRIMARY KEY, price bigint NOT NULL);\nINSERT INTO items VALUES ('a', 100);",
      '002_more.sql': "ALTER TABLE items ADD COLUMN note text NOT NULL DEFAULT '';",
      'README.md': 'not a migration',
    });
    expect(await migrate(db, dir)).toEqual([1, 2]);
    expect(await migrate(db, dir)).toEqual([]);
    expect(await db.query('SELECT id, price, note FROM items')).toEqual([{ id: 'a', price: 100, note: '' }]);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    const db = await open();
    opened.push(db);
    await db.exec('CREATE TABLE t (n integer)');
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (1)');
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (2)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await db.query('SELECT n FROM t')).toEqual([{ n: 1 }]);
  });

  it('runs the first statement inside the transaction, whether a query or a script', async () => {
    const db = await open();
    opened.push(db);
    // now() is the transaction's start: the same for every statement in it, the first one included.
    const times = await db.transaction(async (tx) => {
      const [first] = await tx.query<{ t: Date }>('SELECT now() AS t');
      await tx.query('SELECT pg_sleep(0.02)');
      const [last] = await tx.query<{ t: Date }>('SELECT now() AS t');
      return [first.t, last.t];
    });
    expect(times[0]).toEqual(times[1]);
    // A temporary table dropped at commit outlives its creating script only inside a transaction.
    const rows = await db.transaction(async (tx) => {
      await tx.exec('CREATE TEMP TABLE scratch (n int) ON COMMIT DROP');
      await tx.query('INSERT INTO scratch VALUES (7)');
      return tx.query('SELECT n FROM scratch');
    });
    expect(rows).toEqual([{ n: 7 }]);
  });

  it('rolls back a transaction whose first statement fails, and every connection serves the next one', async () => {
    const db = await open();
    opened.push(db);
    await db.exec('CREATE TABLE once (n integer PRIMARY KEY)');
    await db.query('INSERT INTO once VALUES (1)');
    const failing = Array.from({ length: 12 }, () =>
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO once VALUES ($1)', [1]);
      }),
    );
    const outcomes = await Promise.allSettled(failing);
    expect(outcomes.map((o) => o.status === 'rejected' && (o.reason as { code?: string }).code)).toEqual(
      Array(12).fill('23505'),
    );
    const counts = Array.from({ length: 12 }, () =>
      db.transaction((tx) => tx.query<{ n: number }>('SELECT count(*)::int AS n FROM once')),
    );
    expect(await Promise.all(counts)).toEqual(Array(12).fill([{ n: 1 }]));
    expect(await db.transaction(async () => 'nothing asked')).toBe('nothing asked');
  });

  it('runs deferred statements in order, with the next statement or the commit, and hands their rows before it', async () => {
    const db = await open();
    opened.push(db);
    await db.exec('CREATE TABLE deferred (seq serial PRIMARY KEY, n integer NOT NULL CHECK (n > 0))');
    const handed: number[][] = [];
    const take = (rows: { seq: number }[]) => handed.push(rows.map((r) => r.seq));
    const seen = await db.transaction(async (tx) => {
      await tx.defer('INSERT INTO deferred (n) VALUES ($1) RETURNING seq', [1], take);
      await tx.defer('INSERT INTO deferred (n) VALUES ($1), ($1) RETURNING seq', [2], take);
      expect(handed).toEqual([]); // not sent yet
      const [row] = await tx.query<{ count: number }>('SELECT count(*)::int AS count FROM deferred');
      await tx.defer('INSERT INTO deferred (n) VALUES ($1) RETURNING seq', [3], take);
      return row.count;
    });
    expect(seen).toBe(3); // the deferred rows went ahead of the query that followed them
    expect(handed).toEqual([[1], [2, 3], [4]]);
    // A transaction of deferred statements only, and one outside any transaction, which runs at once.
    await db.transaction((tx) => tx.defer('INSERT INTO deferred (n) VALUES (5)'));
    await db.defer('INSERT INTO deferred (n) VALUES (6) RETURNING seq', [], take);
    expect(handed.at(-1)).toEqual([6]);
    await db.defer('INSERT INTO deferred (n) VALUES (7)');
    expect(await db.query('SELECT n FROM deferred ORDER BY seq')).toEqual([1, 2, 2, 3, 5, 6, 7].map((n) => ({ n })));
  });

  it('rolls back a transaction whose deferred statement fails, and its connections serve the next ones', async () => {
    const db = await open();
    opened.push(db);
    await db.exec('CREATE TABLE checked (n integer NOT NULL CHECK (n > 0))');
    const insert = 'INSERT INTO checked (n) VALUES ($1)';
    const count = 'SELECT count(*)::int AS count FROM checked';
    const handed: unknown[] = [];
    // Failing at the commit, and ahead of a statement that is prepared for the first time in the same round trip.
    const failures = [
      db.transaction(async (tx) => {
        await tx.query(insert, [1]);
        await tx.defer(insert, [-1], (rows) => handed.push(rows));
      }),
      db.transaction(async (tx) => {
        await tx.defer(insert, [2]);
        await tx.defer(insert, [-2]);
        await tx.query('SELECT n FROM checked WHERE n = $1', [2]);
      }),
    ];
    for (const outcome of await Promise.allSettled(failures))
      expect(outcome.status === 'rejected' && (outcome.reason as { code?: string }).code).toBe('23514');
    expect(handed).toEqual([]);
    expect(await db.query(count)).toEqual([{ count: 0 }]);
    const next = Array.from({ length: 12 }, (_, i) =>
      db.transaction(async (tx) => {
        await tx.defer(insert, [i + 1]);
        await tx.query('SELECT n FROM checked WHERE n = $1', [i + 1]);
        return (await tx.query<{ count: number }>(count))[0].count > 0;
      }),
    );
    expect(await Promise.all(next)).toEqual(Array(12).fill(true));
    expect(await db.query(count)).toEqual([{ count: 12 }]);
  });

  it('wakes its listeners when a transaction that notified commits: never on rollback, at once outside one', async () => {
    const db = await open();
    opened.push(db);
    await db.exec('CREATE TABLE IF NOT EXISTS signals (n int)');
    const heard: string[] = [];
    const stop = db.listen('kit_test', () => heard.push('kit_test'));
    db.listen('elsewhere', () => heard.push('elsewhere'));
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO signals VALUES (1)');
      tx.notify('kit_test');
      tx.notify('kit_test');
      expect(heard).toEqual([]); // not before the commit
    });
    expect(heard).toEqual(['kit_test']); // once per transaction
    await expect(
      db.transaction(async (tx) => {
        tx.notify('kit_test');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(heard).toEqual(['kit_test']);
    db.notify('kit_test');
    stop();
    db.notify('kit_test');
    expect(heard).toEqual(['kit_test', 'kit_test']);
  });
});

describe.runIf(server)('commit signals on one PostgreSQL database', () => {
  it('reach the handle whose transaction sent them, and no other handle', async () => {
    const { url } = await scratch!.create('kit_db');
    const [a, b] = [await openDatabase({ url }), await openDatabase({ url })];
    opened.push(a, b);
    const heard: string[] = [];
    a.listen('kit_test', () => heard.push('a'));
    b.listen('kit_test', () => heard.push('b'));
    await a.transaction(async (tx) => tx.notify('kit_test'));
    expect(heard).toEqual(['a']);
  });
});

async function until(probe: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !(await probe()); ) {
    if (Date.now() > end) throw new Error('gave up waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('NOTIFY across sessions', () => {
  it('is not offered on PGlite, whose commit signals already reach the whole process', async () => {
    const db = await openDatabase({ dataDir: 'memory://' });
    opened.push(db);
    expect(db.listenServer).toBeUndefined();
  });
});

describe.runIf(server)('NOTIFY across sessions on PostgreSQL', () => {
  it("hears another handle's committed notifications, never a rolled back one, and again after its connection is cut", async () => {
    const { url } = await scratch!.create('kit_listen');
    const [listening, writer] = [await openDatabase({ url }), await openDatabase({ url })];
    opened.push(listening, writer);
    const heard: string[] = [];
    let reconnects = 0;
    const stop = await listening.listenServer!('kit_news', {
      onPayload: (payload) => heard.push(payload),
      onReconnect: () => reconnects++,
    });
    const send = (payload: string, channel = 'kit_news') =>
      writer.query('SELECT pg_notify($1, $2)', [channel, payload]);

    await writer.transaction(async (tx) => {
      await tx.query('SELECT pg_notify($1, $2)', ['kit_news', 'committed']);
    });
    await expect(
      writer.transaction(async (tx) => {
        await tx.query('SELECT pg_notify($1, $2)', ['kit_news', 'rolled back']);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await send('other', 'kit_elsewhere');
    await send('after');
    await until(() => heard.includes('after'));
    expect(heard).toEqual(['committed', 'after']);

    const listeners = `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'listen kit_news'`;
    await writer.query(`SELECT pg_terminate_backend(pid) FROM (${listeners}) l`);
    await until(() => reconnects === 1);
    await send('reconnected');
    await until(() => heard.includes('reconnected'));
    expect(await writer.query(listeners)).toHaveLength(1);

    await stop();
    await until(async () => (await writer.query(listeners)).length === 0);
    await send('stopped');
    await new Promise((r) => setTimeout(r, 200));
    expect(heard).not.toContain('stopped');
    expect(reconnects).toBe(1);
  });
});

describe.runIf(server)('a PostgreSQL connection that breaks', () => {
  it('mid-transaction: the transaction fails, the process survives, the client leaves the pool, the next one works', async () => {
    const db = await openDatabase({ url: (await scratch!.create('kit_db')).url });
    opened.push(db);
    const admin = new pg.Client({ connectionString: server! });
    await admin.connect();
    const failed = db.transaction(async (tx) => {
      const [{ pid }] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      // The server's goodbye arrives while no query runs: the checked-out client emits 'error' with nobody asking.
      await new Promise((r) => setTimeout(r, 200));
      await tx.query('SELECT 1');
    });
    await expect(failed).rejects.toThrow();
    await admin.end();
    expect(db.stats().total).toBe(0);
    expect(await db.transaction((tx) => tx.query('SELECT 1 AS one'))).toEqual([{ one: 1 }]);
  });
});

describe.runIf(server)('a PostgreSQL transaction left idle', () => {
  it('is ended by the server after idleInTransactionMs: its locks go, the pool survives and serves the next one', async () => {
    const { url } = await scratch!.create('kit_db');
    const frozen = await openDatabase({ url, idleInTransactionMs: 300 });
    const other = await openDatabase({ url });
    opened.push(frozen, other);
    await other.exec('CREATE TABLE held (n int); INSERT INTO held VALUES (1)');
    let locked!: () => void;
    const lockTaken = new Promise<void>((r) => (locked = r));
    const stuck = frozen.transaction(async (tx) => {
      await tx.query('SELECT n FROM held FOR UPDATE');
      locked();
      await new Promise((r) => setTimeout(r, 1500)); // a process frozen mid-transaction, holding the row
      await tx.query('UPDATE held SET n = 2');
    });
    const failed = expect(stuck).rejects.toThrow();
    await lockTaken;
    const startedAt = Date.now();
    await other.query('UPDATE held SET n = 3'); // waits for the row lock until the server ends the idle session
    expect(Date.now() - startedAt).toBeLessThan(1400);
    await failed;
    expect(await other.query('SELECT n FROM held')).toEqual([{ n: 3 }]);
    expect(await frozen.transaction((tx) => tx.query('SELECT 1 AS one'))).toEqual([{ one: 1 }]);
  });
});

describe('PGlite memory', () => {
  it('sizes each embedded database for a shop, not for a server: 8 MB of shared buffers, small work memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bazaar-pglite-'));
    for (const dataDir of ['memory://', dir]) {
      const db = await openDatabase({ dataDir });
      opened.push(db);
      const [shared] = await db.query<{ shared_buffers: string }>('SHOW shared_buffers');
      const [work] = await db.query<{ work_mem: string }>('SHOW work_mem');
      expect([shared.shared_buffers, work.work_mem]).toEqual(['8MB', '2MB']);
    }
  });
});
