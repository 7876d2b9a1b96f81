// One database interface over PGlite (embedded, on disk or in memory) and PostgreSQL (a `pg` pool).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sharedArtifacts, startParams, template, unpackTemplate } from './pglite-start.ts';
import { isStalePlan, preparer } from './prepared.ts';

// biome-ignore lint/suspicious/noExplicitAny: rows are typed by each repository that reads them.
export type Row = Record<string, any>;

export interface Tx {
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Hands the payload to this handle's listeners of the channel once the transaction commits, never if it rolls
   * back; outside a transaction, at once. In this process only: the outbox relay that must hear it is the committer's.
   */
  notify(channel: string, payload?: unknown): void;
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
  /**
   * Calls fn whenever a transaction of this handle that notified the channel commits, with the payloads in the order
   * they were given; the answer stops it.
   */
  listen(channel: string, fn: (payloads: unknown[]) => void): () => void;
  close(): Promise<void>;
}

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

/**
 * Commit signals, in process: a NOTIFY through PostgreSQL would cost the server a global lock at commit and a
 * wake-up of every listening connection, to tell this very process that its own transaction committed.
 */
function commitSignals() {
  const listeners = new Map<string, Set<(payloads: unknown[]) => void>>();
  const emit = (channel: string, payloads: unknown[]) => {
    for (const fn of listeners.get(channel) ?? []) fn(payloads);
  };
  return {
    notify: (channel: string, payload?: unknown) => emit(channel, [payload]),
    listen(channel: string, fn: (payloads: unknown[]) => void): () => void {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      set.add(fn);
      return () => void set.delete(fn);
    },
    /** One transaction's payloads by channel, handed over once it has committed. */
    pending() {
      const channels = new Map<string, unknown[]>();
      return {
        notify: (channel: string, payload?: unknown) => {
          const payloads = channels.get(channel) ?? [];
          channels.set(channel, payloads);
          payloads.push(payload);
        },
        committed: () => {
          for (const [channel, payloads] of channels) emit(channel, payloads);
        },
      };
    },
  };
}

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
  const signals = commitSignals();
  return {
    kind: 'pglite',
    stats: () => ({ total: 1, idle: inFlight === 0 ? 1 : 0, waiting: Math.max(0, inFlight - 1) }),
    query,
    exec: (sql) => counted(async () => void (await lite.exec(sql))),
    notify: signals.notify,
    transaction: (fn) =>
      counted(async () => {
        const pending = signals.pending();
        const result = await lite.transaction((tx) =>
          fn({
            query: async (sql, params) => (await tx.query(sql, params)).rows as never,
            exec: async (sql) => void (await tx.exec(sql)),
            notify: pending.notify,
          }),
        );
        pending.committed();
        return result;
      }),
    listen: signals.listen,
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
  const signals = commitSignals();
  const named = preparer();
  const beginThen = pipelinedBegin(pg);
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
    const pending = signals.pending();
    // BEGIN goes with the transaction's first statement, in one write and one round trip; none is sent if fn runs none.
    let begun = false;
    const begin = () => {
      const first = !begun;
      begun = true;
      return first;
    };
    try {
      const result = await fn({
        query: async (sql, params) =>
          begin() ? beginThen(client, named(sql, params)) : (await client.query(named(sql, params))).rows,
        exec: async (sql) => void (await client.query(begin() ? `BEGIN; ${sql}` : sql)),
        notify: pending.notify,
      });
      if (begun) await client.query('COMMIT');
      release();
      pending.committed();
      return result;
    } catch (err) {
      if (!broken && begun) await client.query('ROLLBACK').catch(onError);
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
    notify: signals.notify,
    // Rolled back whole, a transaction that met a plan made stale by a migration runs once more, on a new connection.
    transaction: (fn) => once(fn).catch((err) => (isStalePlan(err) ? once(fn) : Promise.reject(err))),
    listen: signals.listen,
    close: () => pool.end(),
  };
}

// The PostgreSQL client is loaded when a database URL is used: embedded mode never needs it.
const loadPg = async () => (await import('pg')).default;

/**
 * Runs BEGIN and then a statement in one extended-protocol pipeline (BEGIN's Parse, Bind and Execute ahead of the
 * statement's, one Sync), so a transaction's first round trip does both; pg answers such a query with both results.
 */
function pipelinedBegin(pg: typeof import('pg').default) {
  type Wire = { parse(m: { text: string }): void; bind(m: object): void; execute(m: object): void };
  const prepare = (pg.Query.prototype as unknown as { prepare(c: Wire): void }).prepare;
  class BeginThen extends pg.Query {
    prepare(connection: Wire) {
      connection.parse({ text: 'BEGIN' });
      connection.bind({});
      connection.execute({});
      prepare.call(this, connection);
    }
  }
  return <T extends Row>(client: import('pg').PoolClient, config: import('pg').QueryConfig) =>
    new Promise<T[]>((resolve, reject) => {
      // Extended mode even for an unnamed statement without parameters, which pg would send as a simple query.
      const query = new BeginThen({ ...config, queryMode: 'extended' } as never, undefined, ((
        err: Error | null,
        results: { rows: T[] }[],
      ) => (err ? reject(err) : resolve(results[results.length - 1].rows))) as never);
      client.query(query as never);
    });
}

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
