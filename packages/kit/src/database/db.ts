// One database interface over PGlite (embedded, on disk or in memory) and PostgreSQL (a `pg` pool).
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

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
  /**
   * PostgreSQL only (PGlite is one process, whose commit signals reach everyone): hands the listener the payload of
   * each NOTIFY on the channel, from any session of the database, once its transaction commits, over one connection
   * of its own outside the pool. A lost connection is opened again (backoff up to 5 s) and `onReconnect` called, since
   * what was sent meanwhile is lost. Resolves, listening, to a function that stops it.
   */
  listenServer?(channel: string, listener: ServerListener): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Who hears a channel's NOTIFYs through `Db.listenServer`. */
export type ServerListener = {
  onPayload(payload: string): void;
  /** The connection was lost and is listening again: notifications sent in between never arrive. */
  onReconnect(): void;
};

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

export async function openDatabase(options: DatabaseOptions): Promise<Db> {
  return options.url
    ? openPostgres(options.url, options.poolSize ?? 10, options.idleInTransactionMs ?? 30_000)
    : openPglite(options.dataDir ?? 'memory://', options.cacheDir);
}
