// Owners of orders that ended with no payment, so that `GET /api/payments?orderId=` can tell them from strangers.
import type { Tx } from '@bazaar/kit/database';

export const unpaidOrdersRepo = {
  /** Records the order's owner; a redelivered event changes nothing. */
  async record(q: Tx, orderId: string, userId: string): Promise<void> {
    await q.query('INSERT INTO unpaid_orders (order_id, user_id) VALUES ($1, $2) ON CONFLICT (order_id) DO NOTHING', [
      orderId,
      userId,
    ]);
  },

  async ownerOf(q: Tx, orderId: string): Promise<string | null> {
    const [row] = await q.query('SELECT user_id FROM unpaid_orders WHERE order_id = $1', [orderId]);
    return row ? (row.user_id as string) : null;
  },
};
