// Committing orders' reservations once their payments are approved: the reserved goods are sold.
// A batch of orders (the saga's calls gathered by its client) shares one transaction of three round trips.
import type { Db } from '@bazaar/kit/database';
import { answered, type Outcome, refused, unwrap } from '@bazaar/kit/grpc';
import { notFound } from '@bazaar/kit/server';
import type { CommitResponse } from '../contracts.ts';
import { productsRepo } from '../data/products-repo.ts';
import { reservationsRepo } from '../data/reservations-repo.ts';
import { reservationReleased } from '../domain/product.ts';
import { announceStock } from './announce-stock.ts';

export async function commitReservation(db: Db, orderId: string): Promise<CommitResponse> {
  const [outcome] = await commitReservations(db, [orderId]);
  return unwrap(outcome);
}

/** Answers each order as commitReservation would; a repeat (in this batch or before) is a no-op that answers the same. */
export async function commitReservations(db: Db, orderIds: string[]): Promise<Outcome<CommitResponse>[]> {
  const unique = [...new Set(orderIds)].sort();
  const byOrder = await db.transaction(async (tx) => {
    // The row locks give concurrent commits and releases of one order exactly one outcome.
    const held = await reservationsRepo.lockAll(tx, unique);
    const answers = new Map<string, Outcome<CommitResponse>>();
    const selling: string[] = [];
    const sold = new Map<string, number>();
    for (const orderId of unique) {
      const reservation = held.get(orderId);
      if (!reservation) answers.set(orderId, refused(notFound('No reservation for this order.')));
      else if (reservation.status === 'RELEASED') answers.set(orderId, refused(reservationReleased(orderId)));
      else answers.set(orderId, answered({ orderId, status: 'COMMITTED' }));
      if (reservation?.status !== 'RESERVED') continue;
      selling.push(orderId);
      for (const line of reservation.lines) sold.set(line.sku, (sold.get(line.sku) ?? 0) + line.quantity);
    }
    if (selling.length === 0) return answers;
    const before = await productsRepo.lock(tx, [...sold.keys()]);
    await productsRepo.move(
      tx,
      before.map((p) => ({ sku: p.sku, onHand: -sold.get(p.sku)!, reserved: -sold.get(p.sku)! })),
    );
    await announceStock(
      tx,
      before.map((p) => {
        const n = sold.get(p.sku)!;
        return { ...p, onHand: p.onHand - n, reserved: p.reserved - n };
      }),
      'committed',
    );
    await reservationsRepo.setStatusAll(tx, selling, 'COMMITTED');
    return answers;
  });
  return orderIds.map((id) => byOrder.get(id)!);
}
