// An order's status changes as a stream: its history first, then each change as it happens, until a final state.
import type { Db } from '@bazaar/kit/database';
import type { OrderStatus } from '../contracts.ts';
import { ordersRepo } from '../data/orders-repo.ts';
import type { OrderNotifier } from '../domain/notifier.ts';
import { FINAL } from '../domain/order.ts';

export type StatusEntry = { seq: number; status: string; at: string; detail?: string };

export async function streamOrder(
  deps: { db: Db; notifier: OrderNotifier },
  orderId: string,
  send: (entry: StatusEntry) => void,
  signal: AbortSignal,
  heartbeat: () => void,
): Promise<void> {
  let seq = 0;
  let quiet = 0;
  while (!signal.aborted) {
    const entries = await ordersRepo.historySince(deps.db, orderId, seq);
    for (const entry of entries) {
      send(entry);
      seq = entry.seq;
      if (FINAL.has(entry.status as OrderStatus)) return;
    }
    // Woken at once by changes in this process; the timeout also catches changes made by another replica.
    await deps.notifier.next(orderId, 500, signal);
    if (entries.length === 0 && ++quiet % 30 === 0) heartbeat();
  }
}
