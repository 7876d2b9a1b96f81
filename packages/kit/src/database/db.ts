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
  /**
   * Runs a statement whose rows the transaction does not wait for (an outbox row, say) with whatever is sent next:
   * the next query, or COMMIT, in the same round trip; `onRows` gets its rows before the transaction commits. An error
   * of it fails that query, or the commit, and the transaction rolls back. Outside a transaction it runs at once.
   */
  defer<T extends Row = Row>(sql: string, params?: unknown[], onRows?: (rows: T[]) => void): Promise<void>;
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
  /**
   * PostgreSQL ends a session left idle inside a transaction this long (default 30 s), so a process frozen or cut off
   * mid-transaction lets go of its row locks. No transaction here waits on a network call: providers are called
   * under a lease, outside any transaction, and events are published after commit.
   */
  idleInTransactionMs?: number;
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
    ? openPostgres(options.url, options.poolSize ?? 10, options.idleInTransactionMs ?? 30_000)
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
    defer: atOnce(query),
    exec: (sql) => counted(async () => void (await lite.exec(sql))),
    notify: signals.notify,
    transaction: (fn) =>
      counted(async () => {
        const pending = signals.pending();
        const result = await lite.transaction(async (tx) => {
          // Deferred statements run in order before the next one, as on PostgreSQL, so an error surfaces at the same
          // place in both modes.
          const deferred: Deferred[] = [];
          const flush = async () => {
            for (const d of deferred.splice(0)) {
              const { rows } = await tx.query<Row>(d.sql, d.params);
              d.onRows?.(rows);
            }
          };
          const answer = await fn({
            query: async (sql, params) => {
              await flush();
              return (await tx.query(sql, params)).rows as never;
            },
            defer: queueIn(deferred),
            exec: async (sql) => {
              await flush();
              await tx.exec(sql);
            },
            notify: pending.notify,
          });
          await flush();
          return answer;
        });
        pending.committed();
        return result;
      }),
    listen: signals.listen,
    close: () => lite.close(),
  };
}

async function openPostgres(url: string, max: number, idleInTransactionMs: number): Promise<Db> {
  const pg = await loadPg();
  const types = {
    getTypeParser: (oid: number, format?: string) =>
      oid === 20 || oid === 1700 ? toNumber : pg.types.getTypeParser(oid, format as never),
  };
  // keepAlive finds a silently dead peer. No connect timeout: pg-pool applies it to waiting for a busy pool's free
  // client too, which turned queueing under load into errors.
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: types as never,
    keepAlive: true,
    idle_in_transaction_session_timeout: idleInTransactionMs,
  });
  pool.on('error', () => {}); // an idle client's broken connection leaves the pool; the next caller opens a new one
  const signals = commitSignals();
  const named = preparer();
  const pipeline = pipelined(pg);
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
    // BEGIN goes with the transaction's first statement, and deferred statements with the next one or with COMMIT, in
    // one write and one round trip; nothing is sent if fn runs no statement.
    let begun = false;
    /** Whether the transaction's BEGIN is still to be sent (with what is sent now). */
    const beginNow = () => {
      const first = !begun;
      begun = true;
      return first;
    };
    const deferred: Deferred[] = [];
    const send = async (config?: import('pg').QueryConfig, commit = false): Promise<Row[]> => {
      const begin = beginNow();
      const queued = deferred.splice(0);
      const results = await pipeline(client, {
        begin,
        statements: [...queued.map((d) => named(d.sql, d.params)), ...(config ? [config] : [])],
        commit,
      }).catch((err) => {
        // pg credits every ParseComplete of a pipeline to its last statement, so after an error it may think a
        // statement prepared that PostgreSQL skipped: a connection that ran deferred statements is not reused.
        if (queued.length > 0) broken = true;
        throw err;
      });
      for (const [i, d] of queued.entries()) d.onRows?.(results[i]);
      return config ? results[queued.length] : [];
    };
    try {
      const result = await fn({
        query: async (sql, params) => send(named(sql, params)) as never,
        defer: queueIn(deferred),
        exec: async (sql) => {
          if (deferred.length > 0) await send();
          await client.query(beginNow() ? `BEGIN; ${sql}` : sql);
        },
        notify: pending.notify,
      });
      if (deferred.length > 0) await send(undefined, true);
      else if (begun) await client.query('COMMIT');
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
    defer: atOnce(query),
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

/** A statement queued by Tx.defer until the next one is sent. */
type Deferred = { sql: string; params?: unknown[]; onRows?: (rows: Row[]) => void };

/** Tx.defer inside a transaction: the statement waits in `deferred` for the next one sent. */
const queueIn =
  (deferred: Deferred[]): Tx['defer'] =>
  async (sql, params, onRows) =>
    void deferred.push({ sql, params, onRows: onRows as Deferred['onRows'] });

/** Tx.defer outside a transaction: there is nothing to wait for, so the statement runs at once. */
const atOnce =
  (query: Tx['query']): Tx['defer'] =>
  async (sql, params, onRows) => {
    // Not `onRows?.(await query(...))`: without onRows that would skip the statement itself.
    const rows = await query(sql, params);
    onRows?.(rows as never);
  };

type Pipeline = { begin: boolean; statements: import('pg').QueryConfig[]; commit: boolean };

/**
 * Sends statements in one extended-protocol pipeline, each one's Parse (once per connection for a named statement),
 * Bind, Describe and Execute, BEGIN ahead of them and COMMIT after them when asked, and one Sync: one write and one
 * round trip. Answers each statement's rows, in order. An error skips the rest (PostgreSQL ignores what follows it
 * until the Sync), so a COMMIT after a failed statement never runs: the transaction is left for ROLLBACK.
 */
function pipelined(pg: typeof import('pg').default) {
  type Wire = {
    parse(m: { text: string; name?: string }): void;
    bind(m: object): void;
    describe(m: object): void;
    execute(m: object): void;
    parsedStatements: Record<string, string>;
    submittedNamedStatements: Record<string, string>;
  };
  const prepareLast = (pg.Query.prototype as unknown as { prepare(c: Wire): void }).prepare;
  const { prepareValue: valueMapper } = (pg as unknown as { utils: { prepareValue(v: unknown): unknown } }).utils;
  const simple = (connection: Wire, text: string) => {
    connection.parse({ text });
    connection.bind({});
    connection.execute({});
  };
  class Piped extends pg.Query {
    ahead: import('pg').QueryConfig[] = [];
    begin = false;
    prepare(connection: Wire) {
      if (this.begin) simple(connection, 'BEGIN');
      for (const s of this.ahead) {
        const parsed = s.name && (connection.parsedStatements[s.name] ?? connection.submittedNamedStatements[s.name]);
        if (!parsed) {
          connection.parse({ text: s.text, name: s.name });
          if (s.name) connection.submittedNamedStatements[s.name] = s.text;
        }
        connection.bind({ statement: s.name, values: s.values, valueMapper });
        connection.describe({ type: 'P', name: '' });
        connection.execute({});
      }
      prepareLast.call(this, connection);
    }
  }
  return (client: import('pg').PoolClient, p: Pipeline) =>
    new Promise<Row[][]>((resolve, reject) => {
      // The last statement is the query pg itself sends (COMMIT when asked); the others go ahead of it.
      const last = p.commit ? { text: 'COMMIT' } : p.statements[p.statements.length - 1];
      const ahead = p.commit ? p.statements : p.statements.slice(0, -1);
      const leading = p.begin ? 1 : 0;
      // Extended mode even for an unnamed statement without parameters, which pg would send as a simple query.
      const query = new Piped({ ...last, queryMode: 'extended' } as never, undefined, ((
        err: Error | null,
        results: { rows: Row[] } | { rows: Row[] }[],
      ) => {
        if (err) return reject(err);
        const all = Array.isArray(results) ? results : [results];
        resolve(all.slice(leading, leading + p.statements.length).map((r) => r.rows));
      }) as never);
      query.begin = p.begin;
      query.ahead = ahead;
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
