// Reservations per order and the lines they hold, in the inventory database.

import type { Row, Tx } from '@bazaar/kit/database';
import { money } from '@bazaar/kit/server';
import type { ReservationStatus } from '../contracts.ts';
import type { ReservationLine } from '../domain/reservation.ts';

const toLine = (r: Row): ReservationLine => ({
  sku: r.sku,
  name: r.name,
  quantity: r.quantity,
  unitPrice: money(r.unit_price_paisa),
});

export const reservationsRepo = {
  /** Creates the order's reservation in this status unless one exists; false when it does. Waits for a concurrent claim to settle. */
  async claim(q: Tx, orderId: string, status: ReservationStatus): Promise<boolean> {
    const rows = await q.query(
      'INSERT INTO reservations (order_id, status) VALUES ($1, $2) ON CONFLICT (order_id) DO NOTHING RETURNING order_id',
      [orderId, status],
    );
    return rows.length > 0;
  },

  /**
   * The reservation's status and lines (in sku order, the order products are locked in), the reservation locked
   * until the transaction ends; null when the order has none. One read for both.
   */
  async lock(q: Tx, orderId: string): Promise<{ status: ReservationStatus; lines: ReservationLine[] } | null> {
    const rows = await q.query(
      `SELECT r.status, l.sku, l.name, l.quantity, l.unit_price_paisa
       FROM reservations r LEFT JOIN reservation_lines l ON l.order_id = r.order_id
       WHERE r.order_id = $1 ORDER BY l.sku FOR UPDATE OF r`,
      [orderId],
    );
    if (rows.length === 0) return null;
    return { status: rows[0].status, lines: rows.filter((r) => r.sku !== null).map(toLine) };
  },

  /** In a transaction, sent with its next statement or its COMMIT: nothing waits for its rows (Tx.defer). */
  async setStatus(q: Tx, orderId: string, status: ReservationStatus): Promise<void> {
    await q.defer('UPDATE reservations SET status = $2, updated_at = now() WHERE order_id = $1', [orderId, status]);
  },

  /** In a transaction, sent with its next statement or its COMMIT: nothing waits for its rows (Tx.defer). */
  async addLine(q: Tx, orderId: string, line: ReservationLine): Promise<void> {
    await q.defer(
      'INSERT INTO reservation_lines (order_id, sku, name, quantity, unit_price_paisa) VALUES ($1, $2, $3, $4, $5)',
      [orderId, line.sku, line.name, line.quantity, line.unitPrice.amount],
    );
  },
};
