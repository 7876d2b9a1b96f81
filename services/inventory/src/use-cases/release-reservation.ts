// Releasing an order's reservation (payment declined, order cancelled): held goods become available, sold goods come back.
import type { Db } from '@bazaar/kit/database';
import type { ReleaseResponse } from '../contracts.ts';
import { productsRepo } from '../data/products-repo.ts';
import { reservationsRepo } from '../data/reservations-repo.ts';
import { inLockOrder } from '../domain/reservation.ts';
import { announceStock } from './announce-stock.ts';

export async function releaseReservation(db: Db, orderId: string): Promise<ReleaseResponse> {
  return db.transaction(async (tx) => {
    // A release that overtakes its reserve leaves a tombstone, so the late reserve is refused.
    if (await reservationsRepo.claim(tx, orderId, 'RELEASED')) return { orderId, status: 'RELEASED' };
    const held = await reservationsRepo.lock(tx, orderId);
    if (held?.status === 'RESERVED' || held?.status === 'COMMITTED') {
      const back = [];
      for (const line of inLockOrder(held.lines)) {
        back.push(
          held.status === 'RESERVED'
            ? await productsRepo.unhold(tx, line.sku, line.quantity)
            : await productsRepo.restock(tx, line.sku, line.quantity),
        );
      }
      await announceStock(tx, back, 'released');
      await reservationsRepo.setStatus(tx, orderId, 'RELEASED');
    }
    return { orderId, status: 'RELEASED' };
  });
}
