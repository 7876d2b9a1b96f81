// The courier moves every shipment whose last change is at least one step old one status further, one transaction per step.
import type { Db, Tx } from '@bazaar/kit/database';
import { enqueue } from '@bazaar/kit/messaging';
import { shipmentsRepo } from '../data/shipments-repo.ts';
import { type Dispatched, nextStatus, statusChanged } from '../domain/shipment.ts';

/** Returns how many steps it took; stops after `max` so one pass cannot run forever under load. */
export async function advanceShipments(db: Db, stepMs: number, max = 500): Promise<number> {
  let stepped = 0;
  while (stepped < max && (await db.transaction((tx) => stepOne(tx, stepMs)))) stepped++;
  return stepped;
}

async function stepOne(tx: Tx, stepMs: number): Promise<boolean> {
  const now = new Date();
  const due = await shipmentsRepo.claimDue(tx, new Date(now.getTime() - stepMs).toISOString());
  if (!due) return false;
  const moved = await shipmentsRepo.setStatus(tx, due.orderId, nextStatus(due.status)!, now.toISOString());
  await enqueue(tx, 'shipping', statusChanged(moved as Dispatched));
  return true;
}
