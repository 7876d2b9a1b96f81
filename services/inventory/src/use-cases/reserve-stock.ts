// Reserving an order's lines for the orders saga: all or nothing, never more than is available, once per order.
import type { Db, Tx } from '@bazaar/kit/database';
import { validationFailed } from '@bazaar/kit/server';
import type { ReserveRequest, ReserveResponse, Shortage } from '../contracts.ts';
import { productsRepo } from '../data/products-repo.ts';
import { reservationsRepo } from '../data/reservations-repo.ts';
import { outOfStock, reservationReleased, type StockedProduct } from '../domain/product.ts';
import { duplicateSkus, inLockOrder, type ReservationLine } from '../domain/reservation.ts';
import { announceStock } from './announce-stock.ts';

export async function reserveStock(db: Db, input: ReserveRequest): Promise<ReserveResponse> {
  const duplicates = duplicateSkus(input.lines);
  if (duplicates.length > 0) throw validationFailed(duplicates);
  return db.transaction(async (tx) => {
    // A second call for the order (a retry, or a race with its first) gets the stored answer.
    if (!(await reservationsRepo.claim(tx, input.orderId, 'RESERVED'))) return storedReservation(tx, input.orderId);
    const shortages: Shortage[] = [];
    const reserved: ReservationLine[] = [];
    const holds: StockedProduct[] = [];
    for (const line of inLockOrder(input.lines)) {
      const held = await productsRepo.hold(tx, line.sku, line.quantity);
      if (!held) {
        shortages.push({
          sku: line.sku,
          requested: line.quantity,
          available: await productsRepo.available(tx, line.sku),
        });
        continue;
      }
      const reservedLine = { sku: held.sku, name: held.name, quantity: line.quantity, unitPrice: held.price };
      await reservationsRepo.addLine(tx, input.orderId, reservedLine);
      reserved.push(reservedLine);
      holds.push(held);
    }
    // Throwing rolls back every hold and the claim: nothing was reserved.
    if (shortages.length > 0) throw outOfStock(shortages);
    await announceStock(tx, holds, 'reserved');
    // The lines as written, in sku order: what a later call reads back from the table.
    return { orderId: input.orderId, status: 'RESERVED', lines: reserved };
  });
}

async function storedReservation(tx: Tx, orderId: string): Promise<ReserveResponse> {
  const held = await reservationsRepo.lock(tx, orderId);
  if (held === null || held.status === 'RELEASED') throw reservationReleased(orderId);
  return { orderId, status: held.status, lines: held.lines };
}
