// Shipment progress moves the order: SHIPPED at pick-up, DELIVERED at delivery; payment events update its payment.
import type { Tx } from '@bazaar/kit/database';
import type { Envelope } from '@bazaar/kit/messaging';
import type { ShipmentStatusChangedData } from '@bazaar/shipping/contracts';
import { ordersRepo } from '../data/orders-repo.ts';
import { statusesAfterShipment } from '../domain/order.ts';
import { markCancelled } from '../use-cases/run-saga.ts';
import { announce } from '../use-cases/saga-deps.ts';

export async function onShipmentStatusChanged(tx: Tx, event: Envelope): Promise<string | undefined> {
  const s = event.data as ShipmentStatusChangedData;
  // The update locks the order's row, and changes nothing for an unknown order or a step it has already seen.
  let latest = await ordersRepo.setShipment(tx, s.orderId, {
    courier: s.courier,
    trackingNumber: s.trackingNumber,
    status: s.status,
    version: s.version,
  });
  if (!latest) return undefined;
  const { id, status } = latest.order;
  // Shipping cancelled the shipment of an order still CONFIRMED: a cancel whose answer was lost (a timeout, a crash
  // between shipping's answer and the order's write). The order follows it: goods back, payment refunded.
  if (status === 'CONFIRMED' && s.status === 'CANCELLED') {
    await markCancelled(tx, latest.order, 'shipment cancelled', 0);
    return id;
  }
  for (const next of statusesAfterShipment(status, s.status))
    latest = await ordersRepo.setStatus(tx, id, next, { detail: `shipment ${s.status.toLowerCase()}` });
  await announce(tx, latest);
  return id;
}

/**
 * A wallet's PaymentCaptured is the saga's own capture, which its confirm step records (again on a retry after a
 * crash): only cash collected at delivery and refunds are news to the order, worth an inbox transaction.
 */
export const isPaymentNews = (event: Envelope) =>
  event.type !== 'PaymentCaptured' || (event.data as { method?: string }).method === 'cod';

/** PaymentCaptured (cash collected at delivery) and PaymentRefunded keep the order's payment status current. */
export async function onPaymentChanged(tx: Tx, event: Envelope): Promise<string | undefined> {
  const data = event.data as { orderId: string; status?: string };
  const status = data.status ?? (event.type === 'PaymentRefunded' ? 'REFUNDED' : 'CAPTURED');
  const order = await ordersRepo.byId(tx, data.orderId, true);
  if (!order) return undefined;
  // A refund is final: a late capture event must not overwrite it; news the saga already recorded changes nothing.
  if (order.payment.status !== 'REFUNDED' && order.payment.status !== status)
    await ordersRepo.setPayment(tx, order.id, status);
  return order.id;
}
