// A reservation's lines, the rules every reservation transaction follows, and how one batch of orders shares stock.
import type { AppError, FieldError, Money } from '@bazaar/kit/server';
import type { Shortage } from '../contracts.ts';

export type ReservationLine = { sku: string; name: string; quantity: number; unitPrice: Money };

/** A product's counters as the reserving transaction locked them. */
export type Shelf = { sku: string; name: string; price: Money; onHand: number; reserved: number };

/** What one order asks for: one line per sku. */
export type Wanted = { orderId: string; lines: { sku: string; quantity: number }[] };

/** Every line held, in sku order, or nothing held and every short line named. */
export type Allocation = { orderId: string; lines: ReservationLine[] } | { orderId: string; shortages: Shortage[] };

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
    if (shortages.length > 0) return { orderId, shortages };
    return {
      orderId,
      lines: sorted.map(({ sku, quantity }) => {
        const shelf = shelves.get(sku)!;
        shelf.reserved += quantity;
        return { sku, name: shelf.name, quantity, unitPrice: shelf.price };
      }),
    };
  });
}

/** One order's answer in a batch: what a call for it alone would answer, or the refusal it would throw. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: AppError };

export const answered = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const refused = <T>(error: AppError): Outcome<T> => ({ ok: false, error });

/** The outcome of a check that throws its refusal: the checked value, or the refusal. */
export function attempt<T>(check: () => T): Outcome<T> {
  try {
    return answered(check());
  } catch (err) {
    return refused(err as AppError);
  }
}

/**
 * Serves the items that passed their checks, all together, and answers every item in its place: the answer it got,
 * or the refusal of its check.
 */
export async function servePassing<I, T>(
  checked: Outcome<I>[],
  serve: (passed: I[]) => Promise<Outcome<T>[]>,
): Promise<Outcome<T>[]> {
  const passed = checked.flatMap((c) => (c.ok ? [c.value] : []));
  const answers = passed.length > 0 ? await serve(passed) : [];
  let next = 0;
  return checked.map((c) => (c.ok ? answers[next++] : refused(c.error)));
}

/** The value of a call made alone, or its refusal thrown. */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
