// Order events feed the order-history read model; every order event carries the order's summary.
import type { Tx } from '@bazaar/kit/database';
import type { Envelope } from '@bazaar/kit/messaging';
import { OrderEvents, type OrderSummary } from '@bazaar/orders/contracts';
import { orderHistoryRepo } from '../data/order-history-repo.ts';

export const consumedEvents = [OrderEvents.placed, OrderEvents.statusChanged];

export async function onOrderEvent(tx: Tx, event: Envelope): Promise<void> {
  await orderHistoryRepo.apply(tx, event.data as OrderSummary);
}
