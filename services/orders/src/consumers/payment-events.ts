// Payment events keep the order's payment status current: cash collected at delivery, refunds.
import type { Tx } from '@bazaar/kit/database';
import type { Envelope } from '@bazaar/kit/messaging';
import { type PaymentCapturedData, PaymentEvents, type PaymentRefundedData } from '@bazaar/payments/contracts';
import { ordersRepo } from '../data/orders-repo.ts';

export const paymentEvents = [PaymentEvents.captured, PaymentEvents.refunded];

/**
 * A wallet's PaymentCaptured is the saga's own capture, which its confirm step records (again on a retry after a
 * crash): only cash collected at delivery and refunds are news to the order, worth an inbox transaction.
 */
export const isPaymentNews = (event: Envelope) =>
  event.type !== PaymentEvents.captured || (event.data as PaymentCapturedData).method === 'cod';

/** PaymentCaptured (cash collected at delivery) and PaymentRefunded: the payment's status as the event gives it. */
export async function onPaymentChanged(tx: Tx, event: Envelope): Promise<string | undefined> {
  const { orderId, status } = event.data as PaymentCapturedData | PaymentRefundedData;
  const order = await ordersRepo.byId(tx, orderId, true);
  if (!order) return undefined;
  // A refund is final: a late capture event must not overwrite it; news the saga already recorded changes nothing.
  if (order.payment.status !== 'REFUNDED' && order.payment.status !== status)
    await ordersRepo.setPayment(tx, order.id, status);
  return order.id;
}
