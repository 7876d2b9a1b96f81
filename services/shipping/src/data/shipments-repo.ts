// Shipments and their tracking history in the shipping database.
import type { Row, Tx } from '@bazaar/kit/database';
import { normalizeCity } from '../domain/rate.ts';
import { activeStatuses, type Shipment, type ShipmentStatus } from '../domain/shipment.ts';

const iso = (t: string | Date) => new Date(t).toISOString();

const toShipment = (r: Row): Shipment => ({
  orderId: r.order_id,
  userId: r.user_id,
  trackingNumber: r.tracking_number,
  courier: r.courier,
  city: r.city,
  status: r.status,
  history: r.history,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

export type NewShipment = {
  orderId: string;
  userId: string;
  trackingNumber: string;
  courier: string;
  /** As the customer gave it; stored as city_rates spells it when that table has the city (see normalizeCity). */
  city: string;
  address: string;
  phone: string;
  at: string;
};

export const shipmentsRepo = {
  /** Inserts the order's shipment CREATED unless the order already has a row (shipment or tombstone); null then. */
  async insert(q: Tx, s: NewShipment): Promise<Shipment | null> {
    // The city's own spelling is looked up by the insert itself: one round trip.
    const rows = await q.query(
      `INSERT INTO shipments (order_id, user_id, tracking_number, courier, city, address, phone, status, history, created_at, updated_at)
       VALUES ($1, $2, $3, $4, coalesce((SELECT city FROM city_rates WHERE lower(city) = $10), $5), $6, $7, 'CREATED', $8::jsonb, $9, $9)
       ON CONFLICT (order_id) DO NOTHING RETURNING *`,
      [
        s.orderId,
        s.userId,
        s.trackingNumber,
        s.courier,
        s.city.trim(),
        s.address,
        s.phone,
        JSON.stringify([{ status: 'CREATED', at: s.at }]),
        s.at,
        normalizeCity(s.city),
      ],
    );
    return rows[0] ? toShipment(rows[0]) : null;
  },

  /** Marks an order that never shipped as cancelled; false when the order already has a row. */
  async insertTombstone(q: Tx, orderId: string, at: string): Promise<boolean> {
    const rows = await q.query(
      `INSERT INTO shipments (order_id, status, history, created_at, updated_at) VALUES ($1, 'CANCELLED', $2::jsonb, $3, $3)
       ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
      [orderId, JSON.stringify([{ status: 'CANCELLED', at }]), at],
    );
    return rows.length > 0;
  },

  /** The order's row, locked until the transaction ends (waits for whoever holds it). */
  async lockByOrder(q: Tx, orderId: string): Promise<Shipment | null> {
    const [row] = await q.query('SELECT * FROM shipments WHERE order_id = $1 FOR UPDATE', [orderId]);
    return row ? toShipment(row) : null;
  },

  /** Locks the active shipment unchanged the longest since `before`, skipping rows another replica holds. */
  async claimDue(q: Tx, before: string): Promise<Shipment | null> {
    const [row] = await q.query(
      `SELECT * FROM shipments WHERE status = ANY($1::text[]) AND updated_at <= $2
       ORDER BY updated_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [activeStatuses, before],
    );
    return row ? toShipment(row) : null;
  },

  /** Moves a locked shipment to a status and appends it to the history. */
  async setStatus(q: Tx, orderId: string, status: ShipmentStatus, at: string): Promise<Shipment> {
    const [row] = await q.query(
      `UPDATE shipments SET status = $2, updated_at = $3,
         history = history || jsonb_build_array(jsonb_build_object('status', $2::text, 'at', $4::text))
       WHERE order_id = $1 RETURNING *`,
      [orderId, status, at, at],
    );
    return toShipment(row);
  },

  async byOrder(q: Tx, orderId: string): Promise<Shipment | null> {
    const [row] = await q.query('SELECT * FROM shipments WHERE order_id = $1', [orderId]);
    return row ? toShipment(row) : null;
  },

  async byTrackingNumber(q: Tx, trackingNumber: string): Promise<Shipment | null> {
    const [row] = await q.query('SELECT * FROM shipments WHERE tracking_number = $1', [trackingNumber]);
    return row ? toShipment(row) : null;
  },

  /** Newest first, paged by (created_at, order_id). */
  async list(q: Tx, limit: number, after?: [string, string]): Promise<Shipment[]> {
    const rows = after
      ? await q.query(
          'SELECT * FROM shipments WHERE (created_at, order_id) < ($1::timestamptz, $2) ORDER BY created_at DESC, order_id DESC LIMIT $3',
          [...after, limit],
        )
      : await q.query('SELECT * FROM shipments ORDER BY created_at DESC, order_id DESC LIMIT $1', [limit]);
    return rows.map(toShipment);
  },
};
