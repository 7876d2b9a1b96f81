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

/**
 * The id list is matched on both sides of the join. PostgreSQL does not carry `= ANY` across a join as it does `=`,
 * and a prepared statement's generic plan, made for a list of unknown length, would otherwise hash every line of
 * every reservation ever made to find these orders' few.
 */
export const LOCK_ALL = `SELECT r.order_id, r.status, l.sku, l.name, l.quantity, l.unit_price_paisa
  FROM reservations r LEFT JOIN reservation_lines l ON l.order_id = r.order_id AND l.order_id = ANY($1::text[])
  WHERE r.order_id = ANY($1::text[]) ORDER BY r.order_id, l.sku FOR UPDATE OF r`;

/** A reservation's status and lines, in sku order. */
type Held = { status: ReservationStatus; lines: ReservationLine[] };

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
   * Creates a reservation in this status for each order that has none (ids in sorted order, the order claims lock
   * in); answers the ids it created. Waits for concurrent claims of the same ids to settle.
   */
  async claimAll(q: Tx, orderIds: string[], status: ReservationStatus): Promise<Set<string>> {
    const rows = await q.query(
      `INSERT INTO reservations (order_id, status) SELECT id, $2 FROM unnest($1::text[]) AS i(id) ORDER BY id
       ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
      [orderIds, status],
    );
    return new Set(rows.map((r) => r.order_id));
  },

  /** Takes back claims this transaction made (orders it could not serve). Sent with the next statement (Tx.defer). */
  async unclaim(q: Tx, orderIds: string[]): Promise<void> {
    if (orderIds.length > 0) await q.defer('DELETE FROM reservations WHERE order_id = ANY($1::text[])', [orderIds]);
  },

  /** The reservations of these orders, locked until the transaction ends, in order id order; absent ones are left out. */
  async lockAll(q: Tx, orderIds: string[]): Promise<Map<string, Held>> {
    const rows = await q.query(LOCK_ALL, [orderIds]);
    const held = new Map<string, Held>();
    for (const r of rows) {
      const entry: Held = held.get(r.order_id) ?? { status: r.status, lines: [] };
      if (r.sku !== null) entry.lines.push(toLine(r));
      held.set(r.order_id, entry);
    }
    return held;
  },

  /** In a transaction, sent with its next statement or its COMMIT (Tx.defer). */
  async setStatusAll(q: Tx, orderIds: string[], status: ReservationStatus): Promise<void> {
    if (orderIds.length === 0) return;
    await q.defer('UPDATE reservations SET status = $2, updated_at = now() WHERE order_id = ANY($1::text[])', [
      orderIds,
      status,
    ]);
  },

  /** The lines of reservations this transaction claimed, in one statement (Tx.defer). */
  async addLines(q: Tx, lines: (ReservationLine & { orderId: string })[]): Promise<void> {
    if (lines.length === 0) return;
    await q.defer(
      `INSERT INTO reservation_lines (order_id, sku, name, quantity, unit_price_paisa)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])`,
      [
        lines.map((l) => l.orderId),
        lines.map((l) => l.sku),
        lines.map((l) => l.name),
        lines.map((l) => l.quantity),
        lines.map((l) => l.unitPrice.amount),
      ],
    );
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
};
