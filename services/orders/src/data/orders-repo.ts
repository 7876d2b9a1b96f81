// Orders, their status history and their saga rows in the orders database.
import type { Row, Tx } from '@bazaar/kit/database';
import { money } from '@bazaar/kit/server';
import type { StoredTrace } from '@bazaar/kit/telemetry';
import type { OrderStatus, PaymentMethod } from '../contracts.ts';
import { type Line, type Order, priced, type RejectionReason, subtotalOf } from '../domain/order.ts';

const iso = (v: unknown) => new Date(v as string).toISOString();

export function toOrder(r: Row): Order {
  const items = (r.items as Line[]).map((l) => priced(l.sku, l.quantity, l.name, l.unitPrice));
  const shipping = r.shipping as { city: string; address: string; phone: string };
  return {
    id: r.id,
    userId: r.user_id,
    status: r.status,
    items,
    subtotal: money(r.subtotal),
    shippingFee: money(r.shipping_fee),
    total: money(r.total),
    payment: {
      method: r.payment_method,
      status: r.payment_status ?? 'PENDING',
      ...(r.payment_reference ? { reference: r.payment_reference } : {}),
    },
    shipping: {
      ...shipping,
      ...(r.courier ? { courier: r.courier } : {}),
      ...(r.tracking_number ? { trackingNumber: r.tracking_number } : {}),
      ...(r.shipment_status ? { status: r.shipment_status } : {}),
    },
    ...(r.rejection_reason ? { rejectionReason: r.rejection_reason as RejectionReason } : {}),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

/** An order as stored: what the API shows, plus what only the saga and the order's events need. */
export type StoredOrder = { order: Order; version: number; wallet?: string; cnic?: string };

const toStored = (r: Row): StoredOrder => ({
  order: toOrder(r),
  version: r.version,
  wallet: r.wallet ?? undefined,
  cnic: r.cnic ?? undefined,
});

export type NewOrder = {
  id: string;
  userId: string;
  lines: { sku: string; quantity: number }[];
  shippingFee: number;
  method: PaymentMethod;
  wallet?: string;
  /** The last six digits of the customer's CNIC (JazzCash only), for payments: never in an Order or an event. */
  cnic?: string;
  shipping: { city: string; address: string; phone: string };
  /** The order is placed only if this key was claimed for it earlier in the transaction. */
  idempotencyKey?: string;
  /** How long the saga's lease is held by the request that places it (run-saga's LEASE_MS). */
  leaseMs: number;
  /** The placing request's trace and request id, which the saga's later steps continue. */
  trace?: StoredTrace;
};

/** What the saga learnt from inventory and payments and has not written yet; absent fields stay as they are. */
export type Learnt = { lines?: Line[]; paymentStatus?: string; paymentReference?: string };

// $2..$5 of catchUp and decide: the lines, their subtotal, the payment's status and reference.
const LEARNT = `items = coalesce($2::jsonb, items), subtotal = coalesce($3::bigint, subtotal),
  total = coalesce($3::bigint, subtotal) + shipping_fee, payment_status = coalesce($4, payment_status),
  payment_reference = coalesce($5, payment_reference)`;

const learntParams = (l: Learnt) => [
  l.lines ? JSON.stringify(l.lines) : null,
  l.lines ? subtotalOf(l.lines) : null,
  l.paymentStatus ?? null,
  l.paymentReference ?? null,
];

export const ordersRepo = {
  /**
   * Writes the order PENDING, its saga and the first line of its history, in one statement; with an idempotency
   * key, only if the key was claimed for this order earlier in the transaction (null otherwise).
   */
  async insert(q: Tx, o: NewOrder): Promise<StoredOrder | null> {
    // Placed with the lease held: the request that placed it runs it; the sweep takes over only if that run dies.
    const [row] = await q.query(
      `WITH placed AS (
         INSERT INTO orders (id, user_id, status, items, shipping_fee, total, payment_method, wallet, shipping, cnic)
         SELECT $1, $2, 'PENDING', $3, $4, $4, $5, $6, $7, $9
         WHERE $8::text IS NULL OR EXISTS (SELECT 1 FROM idempotency_keys WHERE user_id = $2 AND key = $8 AND order_id = $1)
         RETURNING *
       ), saga AS (
         INSERT INTO sagas (order_id, step, lease_until, traceparent, request_id)
         SELECT id, 'RESERVE', now() + make_interval(secs => $10), $11, $12 FROM placed
       ), history AS (
         INSERT INTO order_history (order_id, status) SELECT id, status FROM placed
       )
       SELECT * FROM placed`,
      [
        o.id,
        o.userId,
        JSON.stringify(o.lines),
        o.shippingFee,
        o.method,
        o.wallet ?? null,
        JSON.stringify(o.shipping),
        o.idempotencyKey ?? null,
        o.cnic ?? null,
        o.leaseMs / 1000,
        o.trace?.traceparent ?? null,
        o.trace?.requestId ?? null,
      ],
    );
    return row ? toStored(row) : null;
  },

  async byId(q: Tx, id: string, lock = false): Promise<Order | null> {
    const [row] = await q.query(`SELECT * FROM orders WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
    return row ? toOrder(row) : null;
  },

  /** The order with its change counter (every change adds one under the row lock, so it orders the news). */
  async stored(q: Tx, id: string, lock = false): Promise<StoredOrder | null> {
    const [row] = await q.query(`SELECT * FROM orders WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
    return row ? toStored(row) : null;
  },

  /** Writes what the saga learnt since its last write: inventory's names and prices, the payment's status. */
  async catchUp(q: Tx, id: string, learnt: Learnt): Promise<StoredOrder> {
    const [row] = await q.query(
      `UPDATE orders SET ${LEARNT}, version = version + 1, updated_at = clock_timestamp() WHERE id = $1 RETURNING *`,
      [id, ...learntParams(learnt)],
    );
    return toStored(row);
  },

  /** Moves a PENDING order to the saga's outcome with what it learnt; null when it is no longer PENDING. */
  async decide(
    q: Tx,
    id: string,
    status: 'CONFIRMED' | 'REJECTED',
    fields: Learnt & { reason?: RejectionReason },
  ): Promise<StoredOrder | null> {
    // The history line is written by the same statement, only when the order moved.
    const [row] = await q.query(
      `WITH moved AS (
         UPDATE orders SET ${LEARNT}, status = $6, rejection_reason = $7, version = version + 1, updated_at = clock_timestamp()
         WHERE id = $1 AND status = 'PENDING' RETURNING *
       ), history AS (
         INSERT INTO order_history (order_id, status, detail) SELECT id, status, $7 FROM moved
       )
       SELECT * FROM moved`,
      [id, ...learntParams(fields), status, fields.reason ?? null],
    );
    return row ? toStored(row) : null;
  },

  async setStatus(
    q: Tx,
    id: string,
    status: OrderStatus,
    fields: { reason?: string; detail?: string } = {},
  ): Promise<StoredOrder> {
    const [row] = await q.query(
      'UPDATE orders SET status = $2, rejection_reason = coalesce($3, rejection_reason), version = version + 1, updated_at = clock_timestamp() WHERE id = $1 RETURNING *',
      [id, status, fields.reason ?? null],
    );
    await this.history(q, id, status, fields.detail ?? fields.reason);
    return toStored(row);
  },

  async setPayment(q: Tx, id: string, status: string): Promise<StoredOrder> {
    const [row] = await q.query(
      'UPDATE orders SET payment_status = $2, version = version + 1, updated_at = clock_timestamp() WHERE id = $1 RETURNING *',
      [id, status],
    );
    return toStored(row);
  },

  /** Records the shipment's news unless a newer version is already known; null when it is stale. */
  async setShipment(
    q: Tx,
    id: string,
    s: { courier: string; trackingNumber: string; status: string; version: number },
  ): Promise<StoredOrder | null> {
    const [row] = await q.query(
      `UPDATE orders SET courier = $2, tracking_number = $3, shipment_status = $4, shipment_version = $5, version = version + 1, updated_at = clock_timestamp()
       WHERE id = $1 AND shipment_version < $5 RETURNING *`,
      [id, s.courier, s.trackingNumber, s.status, s.version],
    );
    return row ? toStored(row) : null;
  },

  async history(q: Tx, id: string, status: string, detail?: string): Promise<void> {
    await q.query('INSERT INTO order_history (order_id, status, detail) VALUES ($1, $2, $3)', [
      id,
      status,
      detail ?? null,
    ]);
  },

  async historySince(
    q: Tx,
    id: string,
    afterSeq: number,
  ): Promise<{ seq: number; status: string; at: string; detail?: string }[]> {
    const rows = await q.query(
      'SELECT seq, status, detail, at FROM order_history WHERE order_id = $1 AND seq > $2 ORDER BY seq',
      [id, afterSeq],
    );
    return rows.map((r) => ({
      seq: r.seq,
      status: r.status,
      at: iso(r.at),
      ...(r.detail ? { detail: r.detail } : {}),
    }));
  },

  /**
   * Newest first, paged by (created_at, id); all users' orders when userId is undefined, of any status unless given.
   * status has no index of its own (placing an order pays nothing for it): a filter walks the time index.
   */
  async list(
    q: Tx,
    { userId, status }: { userId?: string; status?: string },
    limit: number,
    after?: [string, string],
  ): Promise<Order[]> {
    const params: unknown[] = [limit];
    const where: string[] = [];
    if (userId) where.push(`user_id = $${params.push(userId)}`);
    if (status) where.push(`status = $${params.push(status)}`);
    if (after) where.push(`(created_at, id) < ($${params.push(after[0])}::timestamptz, $${params.push(after[1])})`);
    const rows = await q.query(
      `SELECT * FROM orders ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT $1`,
      params,
    );
    return rows.map(toOrder);
  },
};
