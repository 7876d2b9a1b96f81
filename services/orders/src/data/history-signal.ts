// Tells the other replicas on this database which orders changed here, so that their event streams wake: one NOTIFY
// per short batch, sent after the commits it names. A NOTIFY inside each writing transaction would let only one
// deciding commit through at a time (PostgreSQL serialises the commits of notifying transactions); a batch lost to a
// crash costs a stream on another replica at most its resync interval.
import { randomUUID } from 'node:crypto';
import type { Db } from '@bazaar/kit/database';
import type { Logger } from '@bazaar/kit/telemetry';

export const HISTORY_CHANNEL = 'order_history';
/**
 * How long changed orders are gathered before one NOTIFY names them all: at most ten a second per replica, however
 * many orders it places (each a round trip to the database), and a delay no one watching a stream notices.
 */
const BATCH_MS = 100;
/** PostgreSQL refuses a payload of 8,000 bytes or more: a longer batch goes as several. */
const MAX_PAYLOAD = 7_000;

export type HistorySignal = {
  /** An order's history changed in a transaction of this process that has committed. */
  changed(orderId: string): void;
  /** The order ids a payload names, or none when this process sent it (its own streams were woken already). */
  heard(payload: string): string[];
  stop(): Promise<void>;
};

/** The payload is the sending process's id, then the order ids, separated by spaces (ids hold none). */
export function historySignal(db: Db, log: Logger): HistorySignal {
  const self = randomUUID();
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let sending = Promise.resolve();

  const flush = () => {
    timer = undefined;
    const ids = [...pending];
    pending = new Set();
    sending = sending.then(async () => {
      for (const payload of payloads(self, ids))
        await db.query('SELECT pg_notify($1, $2)', [HISTORY_CHANNEL, payload]).catch((err: unknown) => {
          log.warn({ err: String(err), orders: ids.length }, 'order change notification not sent; streams resync');
        });
    });
  };

  return {
    changed(orderId) {
      pending.add(orderId);
      timer ??= setTimeout(flush, BATCH_MS);
    },
    heard(payload) {
      const [sender, ...ids] = payload.split(' ');
      return sender === self ? [] : ids;
    },
    async stop() {
      if (timer) clearTimeout(timer);
      if (pending.size > 0) flush();
      await sending;
    },
  };
}

function payloads(self: string, ids: string[]): string[] {
  const out: string[] = [];
  let current = self;
  for (const id of ids) {
    if (current.length + 1 + id.length > MAX_PAYLOAD) {
      out.push(current);
      current = self;
    }
    current += ` ${id}`;
  }
  if (current !== self) out.push(current);
  return out;
}
