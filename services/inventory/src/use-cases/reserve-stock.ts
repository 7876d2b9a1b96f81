// Reserving orders' lines for the orders saga: all or nothing per order, never more than is available, once per order.
// A batch of orders (the saga's calls gathered by its client) shares one transaction of three round trips.
import type { Db, Tx } from '@bazaar/kit/database';
import { answered, attempt, type Outcome, refused, servePassing, unwrap } from '@bazaar/kit/grpc';
import { validationFailed } from '@bazaar/kit/server';
import type { ReserveRequest, ReserveResponse } from '../contracts.ts';
import { productsRepo } from '../data/products-repo.ts';
import { reservationsRepo } from '../data/reservations-repo.ts';
import { outOfStock, reservationReleased, type StockedProduct } from '../domain/product.ts';
import { allocate, duplicateSkus, type Shelf, type Wanted } from '../domain/reservation.ts';
import { announceStock } from './announce-stock.ts';

export async function reserveStock(db: Db, input: ReserveRequest): Promise<ReserveResponse> {
  const [outcome] = await reserveStockBatch(db, [input]);
  return unwrap(outcome);
}

/**
 * Answers each request as reserveStock would: reserved, the stored reservation (a repeat of the order, in this batch
 * or before), or a refusal. An order refused leaves nothing behind; the others are not held back by it.
 */
export async function reserveStockBatch(db: Db, inputs: ReserveRequest[]): Promise<Outcome<ReserveResponse>[]> {
  const checked = inputs.map((input) => attempt(() => withDistinctSkus(input)));
  return servePassing(checked, async (valid) => {
    // An order named twice is served once, as first named; the second gets the same answer, as a repeat would.
    const wanted = new Map<string, Wanted>();
    for (const v of valid) if (!wanted.has(v.orderId)) wanted.set(v.orderId, v);
    const byOrder = await db.transaction((tx) => reserveIn(tx, [...wanted.values()]));
    return valid.map((v) => byOrder.get(v.orderId)!);
  });
}

function withDistinctSkus(input: ReserveRequest): ReserveRequest {
  const duplicates = duplicateSkus(input.lines);
  if (duplicates.length > 0) throw validationFailed(duplicates);
  return input;
}

async function reserveIn(tx: Tx, wanted: Wanted[]): Promise<Map<string, Outcome<ReserveResponse>>> {
  // Claims lock in order id order and products in sku order, as in every reservation transaction: none deadlocks.
  const claimed = await reservationsRepo.claimAll(tx, wanted.map((w) => w.orderId).sort(), 'RESERVED');
  const repeats = wanted.filter((w) => !claimed.has(w.orderId)).map((w) => w.orderId);
  const stored = repeats.length > 0 ? await storedAnswers(tx, repeats) : [];
  const fresh = wanted.filter((w) => claimed.has(w.orderId));
  const decided = fresh.length > 0 ? await hold(tx, fresh) : [];
  return new Map([...stored, ...decided]);
}

/** A second call for an order (a retry, or a race with its first) gets the stored answer. */
async function storedAnswers(tx: Tx, orderIds: string[]): Promise<[string, Outcome<ReserveResponse>][]> {
  const stored = await reservationsRepo.lockAll(tx, orderIds);
  return orderIds.map((orderId) => {
    const held = stored.get(orderId);
    return [
      orderId,
      held && held.status !== 'RELEASED'
        ? answered({ orderId, status: held.status, lines: held.lines })
        : refused(reservationReleased(orderId)),
    ];
  });
}

/** Serves the orders this transaction claimed from their products' locked counters; the writes go with the COMMIT. */
async function hold(tx: Tx, orders: Wanted[]): Promise<[string, Outcome<ReserveResponse>][]> {
  const before = await productsRepo.lock(tx, [...new Set(orders.flatMap((o) => o.lines.map((l) => l.sku)))]);
  const shelves = new Map<string, Shelf>(before.map((p) => [p.sku, { ...p }]));
  const allocations = allocate(shelves, orders);
  const held = allocations.flatMap((a) => ('lines' in a ? [a] : []));
  // A refused order's claim goes: nothing of it stays, as if its transaction had rolled back.
  await reservationsRepo.unclaim(
    tx,
    allocations.filter((a) => !('lines' in a)).map((a) => a.orderId),
  );
  await reservationsRepo.addLines(
    tx,
    held.flatMap((a) => a.lines.map((l) => ({ ...l, orderId: a.orderId }))),
  );
  const changed = moved(before, shelves);
  await productsRepo.move(
    tx,
    changed.map(({ after, by }) => ({ sku: after.sku, onHand: 0, reserved: by })),
  );
  await announceStock(
    tx,
    changed.map((c) => c.after),
    'reserved',
  );
  // The lines as written, in sku order: what a later call reads back from the table.
  return allocations.map((a) => [
    a.orderId,
    'lines' in a
      ? answered({ orderId: a.orderId, status: 'RESERVED', lines: a.lines })
      : refused(outOfStock(a.shortages, a.priced)),
  ]);
}

/** The products whose reserved counter the batch moved: each as it stands after, and by how much. */
function moved(before: StockedProduct[], shelves: Map<string, Shelf>): { after: StockedProduct; by: number }[] {
  return before.flatMap((p) => {
    const { onHand, reserved } = shelves.get(p.sku)!;
    return reserved === p.reserved
      ? []
      : [{ after: { ...p, reserved, available: onHand - reserved }, by: reserved - p.reserved }];
  });
}
