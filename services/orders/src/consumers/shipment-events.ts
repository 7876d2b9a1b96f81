// Shipment progress moves the order: SHIPPED at pick-up, DELIVERED at delivery, CANCELLED with a parcel called back.
import type { Tx } from '@bazaar/kit/database';
import type { Envelope } from '@bazaar/kit/messaging';
import type { ShipmentStatusChangedData } from '@bazaar/shipping/contracts';
import { ordersRepo } from '../data/orders-repo.ts';
import { sagasRepo } from '../data/sagas-repo.ts';
import { statusesAfterShipment } from '../domain/order.ts';
import { announce } from '../use-cases/announce-order.ts';
import { markCancelled } from '../use-cases/run-saga.ts';

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
  // Shipping cancelled the shipment of an order still CONFIRMED. While the cancel's own run waits for shipping's answer
  // (its lease held), the event came first and that run writes the cancellation, with who asked. Otherwise it is a
  // cancel whose answer was lost (a timeout, a crash before the order's write): the order follows it, goods back and
  // payment refunded.
  if (status === 'CONFIRMED' && s.status === 'CANCELLED') {
    if (!(await sagasRepo.heldAt(tx, id, 'CANCEL_ASKED')))
      await markCancelled(tx, latest.order, 'shipment cancelled', 0);
    return id;
  }
  for (const next of statusesAfterShipment(status, s.status))
    latest = await ordersRepo.setStatus(tx, id, next, { detail: `shipment ${s.status.toLowerCase()}` });
  await announce(tx, latest);
  return id;
}
