// Reading shipments: the public tracking page, an order's shipment for other services, and the admin's list.
import { type Db, decodeCursor, pageOf } from '@bazaar/kit/database';
import { notFound } from '@bazaar/kit/server';
import { shipmentsRepo } from '../data/shipments-repo.ts';
import { type Dispatched, isDispatched, normalizeTrackingNumber, type Shipment } from '../domain/shipment.ts';

export type Tracking = Pick<Dispatched, 'trackingNumber' | 'courier' | 'city' | 'status' | 'history'>;

export async function trackShipment(db: Db, trackingNumber: string): Promise<Tracking> {
  const found = await shipmentsRepo.byTrackingNumber(db, normalizeTrackingNumber(trackingNumber));
  if (!found || !isDispatched(found)) throw notFound('No shipment has this tracking number.');
  const { courier, city, status, history } = found;
  return { trackingNumber: found.trackingNumber, courier, city, status, history };
}

export async function shipmentOfOrder(db: Db, orderId: string): Promise<Shipment> {
  const found = await shipmentsRepo.byOrder(db, orderId);
  if (!found) throw notFound('This order has no shipment.');
  return found;
}

export async function listShipments(
  db: Db,
  limit: number,
  cursor?: string,
): Promise<{ items: Shipment[]; nextCursor: string | null }> {
  const after = decodeCursor(cursor, ['time', 'string']) as [string, string] | undefined;
  const rows = await shipmentsRepo.list(db, limit + 1, after);
  return pageOf(rows, limit, (last) => [last.createdAt, last.orderId]);
}
