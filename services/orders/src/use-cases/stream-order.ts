// An order's status changes as a stream: its history first, then each change as it happens, until a final state.
import type { Db } from '@bazaar/kit/database';
import type { OrderStatus } from '../contracts.ts';
import { ordersRepo } from '../data/orders-repo.ts';
import type { OrderNotifier } from '../domain/notifier.ts';
import { FINAL, type Order } from '../domain/order.ts';

export type StatusEntry = { seq: number; status: string; at: string; detail?: string };

/** resumeAfter reads a reconnecting client's Last-Event-ID: one of the ids the stream sends, else 0 (from the start). */
export const resumeAfter = (lastEventId: string | string[] | undefined): number =>
  typeof lastEventId === 'string' && /^\d{1,15}$/.test(lastEventId) ? Number(lastEventId) : 0;

/** seenToTheEnd: the client resumes after the final event of a final order, so there is nothing left to stream. */
export async function seenToTheEnd(db: Db, order: Order, afterSeq: number): Promise<boolean> {
  if (afterSeq === 0 || !FINAL.has(order.status)) return false;
  return (await ordersRepo.historySince(db, order.id, afterSeq)).length === 0;
}

export async function streamOrder(
  deps: { db: Db; notifier: OrderNotifier; config: { streamResyncMs: number } },
  orderId: string,
  send: (entry: StatusEntry) => void,
  signal: AbortSignal,
  heartbeat: () => void,
  afterSeq = 0,
): Promise<void> {
  // Watched before the first read: a change committed while it runs wakes the next wait, never slips between.
  const watch = deps.notifier.watch(orderId);
  try {
    let seq = afterSeq;
    while (!signal.aborted) {
      for (const entry of await ordersRepo.historySince(deps.db, orderId, seq)) {
        send(entry);
        seq = entry.seq;
        if (FINAL.has(entry.status as OrderStatus)) return;
      }
      // The history is read again only when a commit (here or on another replica) says it changed, or after a
      // quiet resync interval, in case a notification was lost; the keep-alive holds the connection meanwhile.
      const changed = await watch.next(deps.config.streamResyncMs, signal);
      if (!changed && !signal.aborted) heartbeat();
    }
  } finally {
    watch.close();
  }
}
