// A reservation's lines, the rules every reservation transaction follows, and how one batch of orders shares stock.
import type { FieldError, Money } from '@bazaar/kit/server';
import type { Shortage } from '../contracts.ts';

export type ReservationLine = { sku: string; name: string; quantity: number; unitPrice: Money };

/** A product's counters as the reserving transaction locked them. */
export type Shelf = { sku: string; name: string; price: Money; onHand: number; reserved: number };

/** What one order asks for: one line per sku. */
export type Wanted = { orderId: string; lines: { sku: string; quantity: number }[] };

/**
 * Every line held, in sku order; or nothing held, every short line named, and the lines the catalogue knows at its
 * price (so the refused order can still show what it would have cost).
 */
export type Allocation =
  | { orderId: string; lines: ReservationLine[] }
  | { orderId: string; shortages: Shortage[]; priced: ReservationLine[] };

/** inLockOrder sorts lines by sku, the order every transaction locks products in, so two never deadlock. */
export const inLockOrder = <T extends { sku: string }>(lines: T[]): T[] =>
  [...lines].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));

/** duplicateSkus names every line whose sku an earlier line already asked for: one line per sku. */
export function duplicateSkus(lines: { sku: string }[]): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  lines.forEach((line, i) => {
    if (seen.has(line.sku)) errors.push({ path: `lines.${i}.sku`, message: 'appears in an earlier line' });
    seen.add(line.sku);
  });
  return errors;
}

/**
 * allocate serves the orders in turn from the shelves, each order whole or not at all, never more than is available;
 * it moves the shelves' reserved counters for what it holds. An unknown sku is a shortage with nothing available.
 */
export function allocate(shelves: Map<string, Shelf>, orders: Wanted[]): Allocation[] {
  return orders.map(({ orderId, lines }) => {
    const sorted = inLockOrder(lines);
    const available = (sku: string) => {
      const shelf = shelves.get(sku);
      return shelf ? shelf.onHand - shelf.reserved : 0;
    };
    const shortages = sorted
      .filter((l) => available(l.sku) < l.quantity)
      .map((l) => ({ sku: l.sku, requested: l.quantity, available: available(l.sku) }));
    const priced = sorted.flatMap(({ sku, quantity }) => {
      const shelf = shelves.get(sku);
      return shelf ? [{ sku, name: shelf.name, quantity, unitPrice: shelf.price }] : [];
    });
    if (shortages.length > 0) return { orderId, shortages, priced };
    for (const { sku, quantity } of priced) shelves.get(sku)!.reserved += quantity;
    return { orderId, lines: priced };
  });
}
