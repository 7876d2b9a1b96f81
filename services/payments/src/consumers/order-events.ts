// Order events: a rejected order that never got a payment is remembered with its owner, who may still ask for it.
import type { Tx } from '@bazaar/kit/database';
import type { Envelope } from '@bazaar/kit/messaging';
import type { OrderRejectedData } from '@bazaar/orders/contracts';
import { paymentsRepo } from '../data/payments-repo.ts';
import { unpaidOrdersRepo } from '../data/unpaid-orders-repo.ts';
import { isTombstone } from '../domain/payment.ts';

/** Runs in the inbox's transaction. An order with a payment is found by it; only one without needs the record. */
export async function onOrderRejected(tx: Tx, event: Envelope): Promise<void> {
  const order = event.data as OrderRejectedData;
  const payment = await paymentsRepo.byOrder(tx, order.orderId);
  if (payment && !isTombstone(payment)) return;
  await unpaidOrdersRepo.record(tx, order.orderId, order.userId);
}
