// A confirmed order becomes exactly one shipment, with its city's courier and a tracking number, announced in the same transaction.

import type { Tx } from '@bazaar/kit/database';
import { enqueue } from '@bazaar/kit/messaging';
import type { OrderConfirmedData } from '@bazaar/orders/contracts';
import { shipmentsRepo } from '../data/shipments-repo.ts';
import { normalizeCity } from '../domain/rate.ts';
import { courierFor, type Dispatched, newTrackingNumber, statusChanged } from '../domain/shipment.ts';

/** Returns the new shipment, or null when the order already has one or was cancelled before it shipped. */
export async function createShipment(tx: Tx, order: OrderConfirmedData, at = new Date()): Promise<Dispatched | null> {
  // The courier goes by the city's lower-cased name, which is the same however the customer spelt its case.
  const courier = courierFor(normalizeCity(order.shipping.city));
  const shipment = await shipmentsRepo.insert(tx, {
    orderId: order.orderId,
    userId: order.userId,
    trackingNumber: newTrackingNumber(courier),
    courier: courier.name,
    city: order.shipping.city,
    address: order.shipping.address,
    phone: order.shipping.phone,
    at: at.toISOString(),
  });
  if (!shipment) return null;
  const created = shipment as Dispatched;
  await enqueue(tx, 'shipping', statusChanged(created));
  return created;
}
