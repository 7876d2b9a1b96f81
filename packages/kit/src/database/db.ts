// One database interface over PGlite (embedded, on disk or in memory) and PostgreSQL (a `pg` pool).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { sharedArtifacts, startParams, template, unpackTemplate } from './pglite-start.ts';
import { isStalePlan, preparer } from './prepared.ts';

// biome-ignore lint/suspicious/noExplicitAny: rows are typed by each repository that reads them.
export type Row = Record<string, any>;

export interface Tx {
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** How the connections of a database handle are used right now (PGlite is one connection). */
export type PoolStats = { total: number; idle: number; waiting: number };

export interface Db extends Tx {
  readonly kind: 'pglite' | 'postgres';
  /** The pool's connections: open, idle, and callers waiting for one. */
  stats(): PoolStats;
  /**
   * Runs fn in one transaction: committed when it resolves, rolled back when it throws. On PostgreSQL, fn runs once
   * more after a rollback when a migration made a prepared statement's plan stale, so its effects belong in tx.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Calls fn on every NOTIFY of the channel, saying whether a transaction of this handle sent it. */
  listen(channel: string, fn: (sender: Sender) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * Who sent a NOTIFY: this handle's own connections ('self'), another process or handle ('other'), or, after the
 * listening connection was lost and made again, whoever may have sent what was missed meanwhile ('unknown').
 */
export type Sender = 'self' | 'other' | 'unknown';

export type DatabaseOptions = {
  /** A postgres:// URL of the database itself; when absent, PGlite is used. */
  url?: string;
  /** PGlite's directory; 'memory://' keeps it in memory. */
  dataDir?: string;
  /** Where PGlite keeps the empty database that new ones are copied from, between processes (none: not kept). */
  cacheDir?: string;
  poolSize?: number;
};

// int8 and numeric arrive as numbers: our amounts are integer paisa, far below 2^53.
const toNumber = (v: string) => Number(v);
const CONNECT_TIMEOUT_MS = 5_000;

export async function openDatabase(options: DatabaseOptions): Promise<Db> {
  return options.url
    ? openPostgres(options.url, options.poolSize ?? 10)
    : openPglite(options.dataDir ?? 'memory://', options.cacheDir);
}

async function openPglite(dataDir: string, cacheDir: string | undefined): Promise<Db> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory && !existsSync(join(dataDir, 'PG_VERSION'))) await unpackTemplate(dataDir, cacheDir);
  const lite = await PGlite.create(dataDir, {
    ...(await sharedArtifacts()),
    parsers: { 20: toNumber, 1700: toNumber },
    startParams,
    ...(inMemory ? { loadDataDir: await template(cacheDir) } : {}),
  });
  // PGlite runs one statement at a time: the work in flight beyond the first is waiting for the one connection.
  let inFlight = 0;
  const counted = async <T>(run: () => Promise<T>): Promise<T> => {
    inFlight++;
    try {
      return await run();
    } finally {
      inFlight--;
    }
  };
  const query = <T extends Row>(sql: string, params?: unknown[]) =>
    counted(async () => (await lite.query<T>(sql, params)).rows);
  return {
    kind: 'pglite',
    stats: () => ({ total: 1, idle: inFlight === 0 ? 1 : 0, waiting: Math.max(0, inFlight - 1) }),
    query,
    exec: (sql) => counted(async () => void (await lite.exec(sql))),
    transaction: (fn) =>
      counted(() =>
        lite.transaction((tx) =>
          fn({
            query: async (sql, params) => (await tx.query(sql, params)).rows as never,
            exec: async (sql) => void (await tx.exec(sql)),
          }),
        ),
      ),
    listen: async (channel, fn) => {
      // One process's own database: whoever notifies is this handle.
      const unlisten = await lite.listen(channel, () => fn('self'));
      return () => unlisten();
    },
    close: () => lite.close(),
  };
}

async function openPostgres(url: string, max: number): Promise<Db> {
  const pg = await loadPg();
  const types = {
    getTypeParser: (oid: number, format?: string) =>
      oid === 20 || oid === 1700 ? toNumber : pg.types.getTypeParser(oid, format as never),
  };
  // keepAlive finds a silently dead peer. No connect timeout: pg-pool applies it to waiting for a busy pool's free
  // client too, which turned queueing under load into errors.
  const pool = new pg.Pool({ connectionString: url, max, types: types as never, keepAlive: true });
  pool.on('error', () => {}); // an idle client's broken connection leaves the pool; the next caller opens a new one
  // The backends of this pool's connections: a NOTIFY from one of them was sent by this handle.
  const backends = new Set<number>();
  pool.on('connect', (client) => backends.add(processIdOf(client)));
  pool.on('remove', (client) => backends.delete(processIdOf(client)));
  const named = preparer();
  // pool.query destroys a connection whose statement failed, so a stale plan's retry prepares it afresh.
  const query = async <T extends Row>(sql: string, params?: unknown[]): Promise<T[]> =>
    (
      await pool
        .query(named(sql, params))
        .catch((err) => (isStalePlan(err) ? pool.query(named(sql, params)) : Promise.reject(err)))
    ).rows as T[];
  const once = async <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    // A checked-out client has no listener of the pool's: without one, its socket's error would crash the process.
    let broken = false;
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    // A client whose connection broke must not go back to the pool: release(true) destroys it.
    const release = () => {
      client.release(broken);
      client.off('error', onError);
    };
    try {
      await client.query('BEGIN');
      const result = await fn({
        query: async (sql, params) => (await client.query(named(sql, params))).rows,
        exec: async (sql) => void (await client.query(sql)),
      });
      await client.query('COMMIT');
      release();
      return result;
    } catch (err) {
      if (!broken) await client.query('ROLLBACK').catch(onError);
      // Its other statements may be stale too: a new connection prepares them all afresh.
      if (isStalePlan(err)) broken = true;
      release();
      throw err;
    }
  };
  return {
    kind: 'postgres',
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    query,
    exec: async (sql) => void (await pool.query(sql)),
    // Rolled back whole, a transaction that met a plan made stale by a migration runs once more, on a new connection.
    transaction: (fn) => once(fn).catch((err) => (isStalePlan(err) ? once(fn) : Promise.reject(err))),
    async listen(channel, fn) {
      let client: pg.Client | undefined;
      let stopped = false;
      // A lost listening connection is made again; fn runs then too, for what was notified meanwhile.
      const again = () => !stopped && setTimeout(() => void attach().then(() => fn('unknown'), again), 1000).unref();
      const attach = async () => {
        const next = new pg.Client({
          connectionString: url,
          keepAlive: true,
          connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        });
        next.on('notification', (n) => fn(backends.has(n.processId) ? 'self' : 'other'));
        next.on('error', () => {});
        next.once('end', () => client === next && again());
        await next.connect();
        await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
        client = next;
      };
      await attach();
      return async () => {
        stopped = true;
        await client?.end().catch(() => {});
      };
    },
    close: () => pool.end(),
  };
}

// The PostgreSQL client is loaded when a database URL is used: embedded mode never needs it.
const loadPg = async () => (await import('pg')).default;

// pg sets processID from the server's BackendKeyData when it connects; its typings leave it out.
const processIdOf = (client: pg.PoolClient) => (client as unknown as { processID: number }).processID;

/** ensureDatabase creates a service's database on a PostgreSQL server if it is missing. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const target = new URL(serverUrl);
  target.pathname = `/${name}`;
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const pg = await loadPg();
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0)
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`).catch((err: unknown) => {
        // Created by a replica a moment ago: 42P04, or 23505 when both passed the existence check at once.
        if (!['42P04', '23505'].includes((err as { code?: string }).code ?? '')) throw err;
      });
  } finally {
    await client.end();
  }
  return target.toString();
}
