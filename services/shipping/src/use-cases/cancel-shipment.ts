// Calling a shipment back before pick-up, race-free against the courier and a late OrderConfirmed: both meet on the order's row.
import type { Tx } from '@bazaar/kit/database';
import { enqueue } from '@bazaar/kit/messaging';
import { shipmentsRepo } from '../data/shipments-repo.ts';
import { type Dispatched, isCancellable, type ShipmentStatus, statusChanged } from '../domain/shipment.ts';

export type CancelOutcome =
  | { kind: 'cancelled' | 'already-cancelled' | 'never-shipped' }
  | { kind: 'not-cancellable'; status: ShipmentStatus };

export async function cancelShipment(tx: Tx, orderId: string, at = new Date()): Promise<CancelOutcome> {
  let shipment = await shipmentsRepo.lockByOrder(tx, orderId);
  if (!shipment) {
    // No shipment yet: a tombstone makes a late OrderConfirmed create none.
    if (await shipmentsRepo.insertTombstone(tx, orderId, at.toISOString())) return { kind: 'never-shipped' };
    shipment = (await shipmentsRepo.lockByOrder(tx, orderId))!; // the OrderConfirmed consumer inserted it meanwhile
  }
  if (shipment.status === 'CANCELLED') return { kind: 'already-cancelled' };
  if (!isCancellable(shipment.status)) return { kind: 'not-cancellable', status: shipment.status };
  const cancelled = await shipmentsRepo.setStatus(tx, orderId, 'CANCELLED', at.toISOString());
  await enqueue(tx, 'shipping', statusChanged(cancelled as Dispatched));
  return { kind: 'cancelled' };
}
