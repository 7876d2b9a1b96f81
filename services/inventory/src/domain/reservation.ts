// A reservation's lines and the rules every reservation transaction follows.
import type { FieldError, Money } from '@bazaar/kit/server';

export type ReservationLine = { sku: string; name: string; quantity: number; unitPrice: Money };

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
