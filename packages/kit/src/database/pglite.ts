// PGlite, PostgreSQL compiled to WASM, behind the Db interface. A PGlite is one connection; it serves one service, or
// (the embedded platform) every service of the process, each in a schema of its own.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Db, PoolStats, Row } from './db.ts';
import { atOnce, commitSignals, type Deferred, queueIn, toNumber } from './handles.ts';
import { sharedArtifacts, startParams, template, unpackTemplate } from './pglite-start.ts';

/** A PGlite database of one service's own: in memory ('memory://') or in dataDir. */
export async function openPglite(dataDir: string, cacheDir?: string): Promise<Db> {
  const lite = await startPglite(dataDir, cacheDir);
  return handle(lite, connectionOf(lite), undefined, () => lite.close());
}

/** One PGlite for several services, each in a schema named after it; closing a service's handle leaves it open. */
export type SharedPglite = { open(schema: string): Promise<Db>; close(): Promise<void> };

/**
 * One PGlite to be shared, started at once and waited for by the first `open`: its start (file reads, the WASM
 * instance, PostgreSQL's own) overlaps whatever the caller loads meanwhile. Each PGlite costs its start-up (about
 * 0.25 s of the main thread here) and a WASM heap that never shrinks: five services on five of them spent more than a
 * second of embedded mode's start on it. They share one connection, as they already shared the thread that runs it:
 * no transaction waits on a network call.
 */
export function sharedPglite(dataDir: string, cacheDir?: string): SharedPglite {
  const started = startPglite(dataDir, cacheDir).then((lite) => ({ lite, connection: connectionOf(lite) }));
  // A start that fails is reported by every open; unhandled, it would also end the process before one is called.
  started.catch(() => {});
  return {
    async open(schema) {
      if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`not a schema name: ${schema}`);
      const { lite, connection } = await started;
      await connection.run(undefined, () => lite.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`));
      return handle(lite, connection, schema, async () => {});
    },
    close: async () => (await started).lite.close(),
  };
}

async function startPglite(dataDir: string, cacheDir: string | undefined): Promise<PGlite> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory && !existsSync(join(dataDir, 'PG_VERSION'))) await unpackTemplate(dataDir, cacheDir);
  return PGlite.create(dataDir, {
    ...(await sharedArtifacts()),
    parsers: { 20: toNumber, 1700: toNumber },
    startParams,
    ...(inMemory ? { loadDataDir: await template(cacheDir) } : {}),
  });
}

type Connection = ReturnType<typeof connectionOf>;

/**
 * The one connection of a PGlite: work runs one piece at a time, in the order it came, with its schema (when it has
 * one) first on the search path. The path is set between pieces of work, never inside a transaction.
 */
function connectionOf(lite: PGlite) {
  let tail: Promise<unknown> = Promise.resolve();
  let searchPath: string | undefined;
  // The work in flight beyond the first is waiting for the one connection.
  let inFlight = 0;
  return {
    stats: (): PoolStats => ({ total: 1, idle: inFlight === 0 ? 1 : 0, waiting: Math.max(0, inFlight - 1) }),
    run<T>(schema: string | undefined, work: () => Promise<T>): Promise<T> {
      inFlight++;
      const turn = tail.then(async () => {
        if (schema !== undefined && schema !== searchPath) {
          await lite.exec(`SET search_path TO ${schema}`);
          searchPath = schema;
        }
        return work();
      });
      tail = turn.catch(() => undefined);
      return turn.finally(() => {
        inFlight--;
      });
    },
  };
}

function handle(lite: PGlite, connection: Connection, schema: string | undefined, close: () => Promise<void>): Db {
  const run = <T>(work: () => Promise<T>) => connection.run(schema, work);
  const query = <T extends Row>(sql: string, params?: unknown[]) =>
    run(async () => (await lite.query<T>(sql, params)).rows);
  const signals = commitSignals();
  return {
    kind: 'pglite',
    stats: connection.stats,
    query,
    defer: atOnce(query),
    exec: (sql) => run(async () => void (await lite.exec(sql))),
    notify: signals.notify,
    transaction: (fn) =>
      run(async () => {
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
    close,
  };
}
