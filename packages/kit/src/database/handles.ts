// What both kinds of database handle share: commit signals, statements deferred to the next round trip, numbers.
import type { Row, Tx } from './db.ts';

// int8 and numeric arrive as numbers: our amounts are integer paisa, far below 2^53.
export const toNumber = (v: string) => Number(v);

/**
 * Commit signals, in process: a NOTIFY through PostgreSQL would cost the server a global lock at commit and a
 * wake-up of every listening connection, to tell this very process that its own transaction committed.
 */
export function commitSignals() {
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

/** A statement queued by Tx.defer until the next one is sent. */
export type Deferred = { sql: string; params?: unknown[]; onRows?: (rows: Row[]) => void };

/** Tx.defer inside a transaction: the statement waits in `deferred` for the next one sent. */
export const queueIn =
  (deferred: Deferred[]): Tx['defer'] =>
  async (sql, params, onRows) =>
    void deferred.push({ sql, params, onRows: onRows as Deferred['onRows'] });

/** Tx.defer outside a transaction: there is nothing to wait for, so the statement runs at once. */
export const atOnce =
  (query: Tx['query']): Tx['defer'] =>
  async (sql, params, onRows) => {
    // Not `onRows?.(await query(...))`: without onRows that would skip the statement itself.
    const rows = await query(sql, params);
    onRows?.(rows as never);
  };
