// Idempotency keys: per user, the request's fingerprint and the first answer given to it.
import type { Tx } from '@bazaar/kit/database';

export type Remembered = { requestHash: string; orderId: string; response?: { status: number; body: unknown } };

export const idempotencyRepo = {
  /**
   * Claims the key for this request's order unless someone already holds it. Sent with the transaction's next
   * statement (Tx.defer), which tells by reading the key's row whether the claim was this request's.
   */
  async claim(q: Tx, c: { userId: string; key: string; requestHash: string; orderId: string }): Promise<void> {
    await q.defer(
      'INSERT INTO idempotency_keys (user_id, key, request_hash, order_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [c.userId, c.key, c.requestHash, c.orderId],
    );
  },

  async find(q: Tx, userId: string, key: string): Promise<Remembered | null> {
    const [row] = await q.query('SELECT * FROM idempotency_keys WHERE user_id = $1 AND key = $2', [userId, key]);
    if (!row) return null;
    return {
      requestHash: row.request_hash,
      orderId: row.order_id,
      response: row.response_status ? { status: row.response_status, body: row.response_body } : undefined,
    };
  },

  /** In a transaction, sent with its next statement or its COMMIT: nothing waits for its rows (Tx.defer). */
  async remember(q: Tx, userId: string, key: string, status: number, body: unknown): Promise<void> {
    await q.defer(
      'UPDATE idempotency_keys SET response_status = $3, response_body = $4 WHERE user_id = $1 AND key = $2 AND response_status IS NULL',
      [userId, key, status, JSON.stringify(body)],
    );
  },
};
