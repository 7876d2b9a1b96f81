// Payments in the payments database: one row per order, locked while it changes.
import type { Row, Tx } from '@bazaar/kit/database';
import type { AuthorizeOutcome, PaymentMethod, PaymentStatus } from '../contracts.ts';
import type { Payment } from '../domain/payment.ts';

const COLUMNS = '*, coalesce(lease_until > now(), false) AS leased';

const toPayment = (r: Row): Payment => ({
  id: r.id,
  orderId: r.order_id,
  userId: r.user_id,
  method: r.method,
  wallet: r.wallet,
  amount: r.amount,
  status: r.status,
  outcome: r.outcome,
  reason: r.reason,
  reference: r.reference,
  leased: r.leased,
  leaseToken: r.lease_token,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

export type NewPayment = {
  id: string;
  orderId: string;
  userId: string;
  method: PaymentMethod;
  wallet?: string;
  amount: number;
  reference: string | null;
};
export type Settlement = { status: PaymentStatus; outcome?: AuthorizeOutcome; reason?: string };

export const paymentsRepo = {
  /**
   * Writes the order's payment AUTHORIZING and answers it (in a transaction, locked until it ends); null if one
   * exists. With a lease, the payment is written already leased for a provider call (see lease).
   */
  async insertAuthorizing(q: Tx, p: NewPayment, lease?: { token: string; ms: number }): Promise<Payment | null> {
    const [row] = await q.query(
      `INSERT INTO payments (id, order_id, user_id, method, wallet, amount, status, reference, lease_token, lease_until)
       VALUES ($1, $2, $3, $4, $5, $6, 'AUTHORIZING', $7, $8, now() + make_interval(secs => $9))
       ON CONFLICT (order_id) DO NOTHING RETURNING ${COLUMNS}`,
      [
        p.id,
        p.orderId,
        p.userId,
        p.method,
        p.wallet ?? null,
        p.amount,
        p.reference,
        lease?.token ?? null,
        lease ? lease.ms / 1000 : null,
      ],
    );
    return row ? toPayment(row) : null;
  },

  /** A VOIDED row for an order that has no payment yet, so that a late authorisation is refused. */
  async insertTombstone(q: Tx, p: { id: string; orderId: string; reference: string }): Promise<void> {
    await q.query(
      `INSERT INTO payments (id, order_id, amount, status, outcome, reason, reference)
       VALUES ($1, $2, 0, 'VOIDED', 'declined', 'PAYMENT_VOIDED', $3) ON CONFLICT (order_id) DO NOTHING`,
      [p.id, p.orderId, p.reference],
    );
  },

  /** Fills a tombstone in with the authorisation that came too late, so the record shows what was refused. */
  async adoptTombstone(q: Tx, id: string, p: Omit<NewPayment, 'id' | 'orderId' | 'reference'>): Promise<void> {
    await q.query(
      `UPDATE payments SET user_id = $2, method = $3, wallet = $4, amount = $5, updated_at = now() WHERE id = $1 AND user_id IS NULL`,
      [id, p.userId, p.method, p.wallet ?? null, p.amount],
    );
  },

  /** The order's payment, row-locked until the transaction ends. */
  async lockByOrder(q: Tx, orderId: string): Promise<Payment | null> {
    const [row] = await q.query(`SELECT ${COLUMNS} FROM payments WHERE order_id = $1 FOR UPDATE`, [orderId]);
    return row ? toPayment(row) : null;
  },

  /** The orders' payments under their row locks, taken in order id order (every batch's order: none deadlocks). */
  async lockByOrders(q: Tx, orderIds: string[]): Promise<Map<string, Payment>> {
    const rows = await q.query(
      `SELECT ${COLUMNS} FROM payments WHERE order_id = ANY($1::text[]) ORDER BY order_id FOR UPDATE`,
      [orderIds],
    );
    return new Map(rows.map((r) => [r.order_id, toPayment(r)]));
  },

  async byOrder(q: Tx, orderId: string): Promise<Payment | null> {
    const [row] = await q.query(`SELECT ${COLUMNS} FROM payments WHERE order_id = $1`, [orderId]);
    return row ? toPayment(row) : null;
  },

  async exists(q: Tx, id: string): Promise<boolean> {
    return (await q.query('SELECT 1 FROM payments WHERE id = $1', [id])).length > 0;
  },

  async byReference(q: Tx, reference: string): Promise<Payment | null> {
    const [row] = await q.query(`SELECT ${COLUMNS} FROM payments WHERE reference = $1`, [reference]);
    return row ? toPayment(row) : null;
  },

  /** Marks a provider call in flight for ms; call under the row lock after checking it is not leased. Deferred (Tx.defer). */
  async lease(q: Tx, id: string, token: string, ms: number): Promise<void> {
    await q.defer(
      'UPDATE payments SET lease_token = $2, lease_until = now() + make_interval(secs => $3) WHERE id = $1',
      [id, token, ms / 1000],
    );
  },

  /**
   * Extends the lease by ms from now for one more provider call, if it is still the holder's (its token unchanged):
   * false when it was taken over after it ran out.
   */
  async renewLease(q: Tx, id: string, token: string, ms: number): Promise<boolean> {
    const rows = await q.query(
      `UPDATE payments SET lease_until = clock_timestamp() + make_interval(secs => $3)
       WHERE id = $1 AND lease_token = $2 RETURNING id`,
      [id, token, ms / 1000],
    );
    return rows.length > 0;
  },

  /** In a transaction, sent with its next statement or its COMMIT: nothing waits for its rows (Tx.defer). */
  async releaseLease(q: Tx, id: string, token: string): Promise<void> {
    await q.defer('UPDATE payments SET lease_token = NULL, lease_until = NULL WHERE id = $1 AND lease_token = $2', [
      id,
      token,
    ]);
  },

  /** Embedded mode runs one process: leases left by a crashed run belong to nobody. */
  async releaseAllLeases(q: Tx): Promise<void> {
    await q.query('UPDATE payments SET lease_token = NULL, lease_until = NULL WHERE lease_until IS NOT NULL');
  },

  /**
   * Moves the locked payment on, and answers it as it now stands; outcome and reason are kept when not given. Sent
   * with the transaction's next statement or its COMMIT (Tx.defer): the answer is worked out here, not read back.
   */
  async settle(q: Tx, p: Payment, s: Settlement): Promise<Payment> {
    await q.defer(
      `UPDATE payments SET status = $2, outcome = coalesce($3, outcome), reason = coalesce($4, reason), updated_at = now()
       WHERE id = $1`,
      [p.id, s.status, s.outcome ?? null, s.reason ?? null],
    );
    const at = new Date().toISOString();
    return { ...p, status: s.status, outcome: s.outcome ?? p.outcome, reason: s.reason ?? p.reason, updatedAt: at };
  },

  /** Schedules a check at the provider, backing off with each one (at most an hour apart); null clears it. */
  async reconcileLater(q: Tx, id: string, baseMs: number | null): Promise<void> {
    if (baseMs === null) {
      await q.query('UPDATE payments SET reconcile_after = NULL, reconcile_attempts = 0 WHERE id = $1', [id]);
      return;
    }
    await q.query(
      `UPDATE payments SET reconcile_attempts = reconcile_attempts + 1,
         reconcile_after = now() + make_interval(secs => least(3600, $2 * power(2, least(reconcile_attempts, 12))))
       WHERE id = $1`,
      [id, baseMs / 1000],
    );
  },

  /** A tombstone takes the method of the provider that later reported money for it. */
  async setMethodIfUnknown(q: Tx, id: string, method: PaymentMethod): Promise<void> {
    await q.query('UPDATE payments SET method = $2, updated_at = now() WHERE id = $1 AND method IS NULL', [id, method]);
  },

  async dueForReconcile(q: Tx, limit: number): Promise<Payment[]> {
    const rows = await q.query(
      `SELECT ${COLUMNS} FROM payments WHERE reconcile_after <= now() ORDER BY reconcile_after LIMIT $1`,
      [limit],
    );
    return rows.map(toPayment);
  },

  /** Newest first, paged by (created_at, id); tombstones are not payments and are left out. */
  async list(
    q: Tx,
    f: { userId?: string; orderId?: string; limit: number; after?: [string, string] },
  ): Promise<Payment[]> {
    const rows = await q.query(
      `SELECT ${COLUMNS} FROM payments
       WHERE user_id IS NOT NULL AND ($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR order_id = $2)
         AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::text))
       ORDER BY created_at DESC, id DESC LIMIT $5`,
      [f.userId ?? null, f.orderId ?? null, f.after?.[0] ?? null, f.after?.[1] ?? null, f.limit],
    );
    return rows.map(toPayment);
  },
};
