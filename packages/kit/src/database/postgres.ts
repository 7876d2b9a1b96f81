// PostgreSQL through a `pg` pool: named prepared statements, and a transaction's statements pipelined.
import type { Db, Row, Tx } from './db.ts';
import { atOnce, commitSignals, type Deferred, queueIn, toNumber } from './handles.ts';
import { isStalePlan, preparer } from './prepared.ts';
import { listenOnServer } from './server-listen.ts';

export async function openPostgres(url: string, max: number, idleInTransactionMs: number): Promise<Db> {
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
    listenServer: (channel, listener) => listenOnServer(pg, url, channel, listener),
    close: () => pool.end(),
  };
}

// The PostgreSQL client is loaded when a database URL is used: embedded mode never needs it.
const loadPg = async () => (await import('pg')).default;

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
