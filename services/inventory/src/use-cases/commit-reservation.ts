// Committing an order's reservation once its payment is approved: the reserved goods are sold.
import type { Db } from '@bazaar/kit/database';
import { notFound } from '@bazaar/kit/server';
import type { CommitResponse } from '../contracts.ts';
import { productsRepo } from '../data/products-repo.ts';
import { reservationsRepo } from '../data/reservations-repo.ts';
import { reservationReleased } from '../domain/product.ts';
import { inLockOrder } from '../domain/reservation.ts';
import { announceStock } from './announce-stock.ts';

export async function commitReservation(db: Db, orderId: string): Promise<CommitResponse> {
  return db.transaction(async (tx) => {
    // The row lock gives concurrent commits and releases of one order exactly one outcome.
    const held = await reservationsRepo.lock(tx, orderId);
    if (held === null) throw notFound('No reservation for this order.');
    if (held.status === 'RELEASED') throw reservationReleased(orderId);
    if (held.status === 'RESERVED') {
      const sold = [];
      for (const line of inLockOrder(held.lines)) sold.push(await productsRepo.sell(tx, line.sku, line.quantity));
      await announceStock(tx, sold, 'committed');
      await reservationsRepo.setStatus(tx, orderId, 'COMMITTED');
    }
    return { orderId, status: 'COMMITTED' };
  });
}
