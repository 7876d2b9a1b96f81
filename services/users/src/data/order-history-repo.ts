// The order-history read model: one row per order, replaced only by newer news.
import type { Row, Tx } from '@bazaar/kit/database';
import { money } from '@bazaar/kit/server';
import type { OrderSummary } from '@bazaar/orders/contracts';

export type HistoryEntry = {
  orderId: string;
  status: string;
  total: { amount: number; currency: 'PKR' };
  itemCount: number;
  trackingNumber?: string;
  placedAt: string;
  updatedAt: string;
};

const toEntry = (r: Row): HistoryEntry => ({
  orderId: r.order_id,
  status: r.status,
  total: money(r.total),
  itemCount: r.item_count,
  ...(r.tracking_number ? { trackingNumber: r.tracking_number } : {}),
  placedAt: new Date(r.placed_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

export const orderHistoryRepo = {
  /**
   * Events may arrive out of order; an older summary (a lower version) never overwrites a newer one. In a
   * transaction, sent with its next statement or its COMMIT: nothing waits for its rows (Tx.defer).
   */
  async apply(q: Tx, s: OrderSummary): Promise<void> {
    await q.defer(
      `INSERT INTO order_history AS h (order_id, user_id, status, total, item_count, tracking_number, placed_at, updated_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, total = excluded.total, item_count = excluded.item_count,
         tracking_number = coalesce(excluded.tracking_number, h.tracking_number), updated_at = excluded.updated_at,
         version = excluded.version
       WHERE excluded.version > h.version OR (excluded.version = h.version AND excluded.updated_at >= h.updated_at)`,
      [
        s.orderId,
        s.userId,
        s.status,
        s.total.amount,
        s.itemCount,
        s.trackingNumber ?? null,
        s.placedAt,
        s.updatedAt,
        s.version ?? 0,
      ],
    );
  },

  /** Every customer's entries in order id order, after the given id (the admin's view, for `bazaar verify`). */
  async listAll(q: Tx, limit: number, after?: string): Promise<(HistoryEntry & { userId: string })[]> {
    const rows = await q.query(
      'SELECT * FROM order_history WHERE ($1::text IS NULL OR order_id > $1) ORDER BY order_id LIMIT $2',
      [after ?? null, limit],
    );
    return rows.map((r) => ({ ...toEntry(r), userId: r.user_id }));
  },

  async list(q: Tx, userId: string, limit: number, after?: [string, string]): Promise<HistoryEntry[]> {
    const rows = after
      ? await q.query(
          'SELECT * FROM order_history WHERE user_id = $1 AND (placed_at, order_id) < ($2::timestamptz, $3) ORDER BY placed_at DESC, order_id DESC LIMIT $4',
          [userId, ...after, limit],
        )
      : await q.query(
          'SELECT * FROM order_history WHERE user_id = $1 ORDER BY placed_at DESC, order_id DESC LIMIT $2',
          [userId, limit],
        );
    return rows.map(toEntry);
  },
};
