import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresOrSkip, scratchDatabases } from '../testing/postgres.ts';
import { type Db, openDatabase } from './db.ts';
import { isOutage } from './outage.ts';

const server = await postgresOrSkip();
const scratch = server ? scratchDatabases(server) : undefined;
const opened: Db[] = [];

afterAll(async () => {
  for (const db of opened) await db.close();
  await scratch?.drop();
});

const failureOf = (work: Promise<unknown>) =>
  work.then(
    () => undefined,
    (err: unknown) => err,
  );

describe('isOutage', () => {
  it('reads a refused connection as an outage, as node-postgres reports it', async () => {
    const db = await openDatabase({ url: 'postgres://postgres@127.0.0.1:1/none' }); // nothing listens on port 1
    opened.push(db);
    const err = await failureOf(db.query('SELECT 1'));
    expect(err).toBeInstanceOf(Error);
    expect(isOutage(err)).toBe(true);
  });

  it('reads errors of code or cause by their kind, and nothing else as an outage', () => {
    const wrapped = new Error('saga step failed', { cause: Object.assign(new Error('x'), { code: '57P03' }) });
    expect(isOutage(wrapped)).toBe(true);
    expect(isOutage(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isOutage(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isOutage('ECONNREFUSED')).toBe(false);
  });
});

describe.runIf(server)('isOutage on PostgreSQL', () => {
  it('reads a connection the server ended as an outage, and a failed statement as none', async () => {
    const db = await openDatabase({ url: (await scratch!.create('kit_outage')).url });
    opened.push(db);
    const admin = new pg.Client({ connectionString: server! });
    await admin.connect();
    const ended = await failureOf(
      db.transaction(async (tx) => {
        const [{ pid }] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        await tx.query('SELECT 1');
      }),
    );
    await admin.end();
    expect(isOutage(ended)).toBe(true);
    expect(isOutage(await failureOf(db.query('SELECT no_such_column FROM pg_class')))).toBe(false);
    expect(isOutage(await failureOf(db.query('SELECT 1/0')))).toBe(false);
  });
});
