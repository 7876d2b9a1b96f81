// Products and their stock counters in the inventory database; every stock change is one conditional UPDATE.

import type { Row, Tx } from '@bazaar/kit/database';
import { money } from '@bazaar/kit/server';
import type { StockedProduct, StockLevel } from '../domain/product.ts';

const toProduct = (r: Row): StockedProduct => ({
  sku: r.sku,
  name: r.name,
  description: r.description,
  price: money(r.price_paisa),
  available: r.on_hand - r.reserved,
  onHand: r.on_hand,
  reserved: r.reserved,
});

const toLevel = (r: Row): StockLevel => ({
  sku: r.sku,
  onHand: r.on_hand,
  reserved: r.reserved,
  available: r.on_hand - r.reserved,
  sold: r.sold,
  initial: r.initial_quantity,
  adjustments: r.adjustments,
});

/** ILIKE pattern matching text anywhere, with the caller's % _ and \ taken literally. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export type ProductInsert = { sku: string; name: string; description: string; pricePaisa: number; quantity: number };

export const productsRepo = {
  /** Inserts unless the sku is taken; returns null when it is. */
  async insert(q: Tx, p: ProductInsert): Promise<StockedProduct | null> {
    const [row] = await q.query(
      `INSERT INTO products (sku, name, description, price_paisa, initial_quantity, on_hand) VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (sku) DO NOTHING RETURNING *`,
      [p.sku, p.name, p.description, p.pricePaisa, p.quantity],
    );
    return row ? toProduct(row) : null;
  },

  async bySku(q: Tx, sku: string): Promise<StockedProduct | null> {
    const [row] = await q.query('SELECT * FROM products WHERE sku = $1', [sku]);
    return row ? toProduct(row) : null;
  },

  async count(q: Tx): Promise<number> {
    const [row] = await q.query('SELECT count(*)::int AS n FROM products');
    return row.n;
  },

  /** Products whose sku, name or description contain every one of the words (any case), in sku order after `after`. */
  async search(q: Tx, limit: number, words: string[], after?: string): Promise<StockedProduct[]> {
    const rows = await q.query(
      `SELECT * FROM products
       WHERE (SELECT coalesce(bool_and(sku ILIKE p OR name ILIKE p OR description ILIKE p), true) FROM unnest($1::text[]) AS p)
         AND ($2::text IS NULL OR sku > $2)
       ORDER BY sku LIMIT $3`,
      [words.map(containing), after ?? null, limit],
    );
    return rows.map(toProduct);
  },

  /** Sets the fields given, keeps the others; the product must exist (locked first, by lock). */
  async edit(
    q: Tx,
    sku: string,
    p: { name?: string; description?: string; pricePaisa?: number },
  ): Promise<StockedProduct> {
    const [row] = await q.query(
      `UPDATE products SET name = coalesce($2, name), description = coalesce($3, description),
       price_paisa = coalesce($4, price_paisa) WHERE sku = $1 RETURNING *`,
      [sku, p.name ?? null, p.description ?? null, p.pricePaisa ?? null],
    );
    return toProduct(row);
  },

  /** Moves on-hand stock by delta unless it would fall below what is reserved; null when it would (or no such sku). */
  async adjust(q: Tx, sku: string, delta: number): Promise<StockedProduct | null> {
    const [row] = await q.query(
      'UPDATE products SET on_hand = on_hand + $2 WHERE sku = $1 AND on_hand + $2 >= reserved RETURNING *',
      [sku, delta],
    );
    return row ? toProduct(row) : null;
  },

  /** In a transaction, sent with its next statement or its COMMIT: nothing waits for its rows (Tx.defer). */
  async recordAdjustment(q: Tx, sku: string, delta: number, reason: string, madeBy?: string): Promise<void> {
    await q.defer('INSERT INTO stock_adjustments (sku, delta, reason, made_by) VALUES ($1, $2, $3, $4)', [
      sku,
      delta,
      reason,
      madeBy ?? null,
    ]);
  },

  /**
   * The products of these skus, locked until the transaction ends, in sku order: the order every transaction locks
   * products in, so two never deadlock. Unknown skus are left out.
   */
  async lock(q: Tx, skus: string[]): Promise<StockedProduct[]> {
    const rows = await q.query('SELECT * FROM products WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE', [skus]);
    return rows.map(toProduct);
  },

  /**
   * Moves the counters of products this transaction locked by the given amounts: reserved goods held (reserved up),
   * or sold (on hand and reserved down). Sent with the next statement or the COMMIT (Tx.defer).
   */
  async move(q: Tx, moves: { sku: string; onHand: number; reserved: number }[]): Promise<void> {
    if (moves.length === 0) return;
    await q.defer(
      `UPDATE products p SET on_hand = p.on_hand + m.on_hand, reserved = p.reserved + m.reserved
       FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS m(sku, on_hand, reserved) WHERE p.sku = m.sku`,
      [moves.map((m) => m.sku), moves.map((m) => m.onHand), moves.map((m) => m.reserved)],
    );
  },

  /** A reservation let go: its goods are available again. */
  async unhold(q: Tx, sku: string, quantity: number): Promise<StockedProduct> {
    const [row] = await q.query('UPDATE products SET reserved = reserved - $2 WHERE sku = $1 RETURNING *', [
      sku,
      quantity,
    ]);
    return toProduct(row);
  },

  /** Sold goods come back (a cancelled confirmed order): on hand again. */
  async restock(q: Tx, sku: string, quantity: number): Promise<StockedProduct> {
    const [row] = await q.query('UPDATE products SET on_hand = on_hand + $2 WHERE sku = $1 RETURNING *', [
      sku,
      quantity,
    ]);
    return toProduct(row);
  },

  /** Stock levels in sku order, with sold and adjustments summed from the reservation and adjustment records. */
  async levels(q: Tx, limit: number, filter: { skus?: string[]; after?: string } = {}): Promise<StockLevel[]> {
    const rows = await q.query(
      `SELECT p.sku, p.on_hand, p.reserved, p.initial_quantity,
         coalesce((SELECT sum(a.delta) FROM stock_adjustments a WHERE a.sku = p.sku), 0) AS adjustments,
         coalesce((SELECT sum(l.quantity) FROM reservation_lines l JOIN reservations r ON r.order_id = l.order_id
                   WHERE l.sku = p.sku AND r.status = 'COMMITTED'), 0) AS sold
       FROM products p
       WHERE ($1::text[] IS NULL OR p.sku = ANY($1)) AND ($2::text IS NULL OR p.sku > $2)
       ORDER BY p.sku LIMIT $3`,
      [filter.skus ?? null, filter.after ?? null, limit],
    );
    return rows.map(toLevel);
  },
};
