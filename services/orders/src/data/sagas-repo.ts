// The saga rows: which step each order's saga runs next, and who holds it.
import type { Tx } from '@bazaar/kit/database';
import type { StoredTrace } from '@bazaar/kit/telemetry';
import type { RejectionReason } from '../domain/order.ts';

export type SagaStep = 'RESERVE' | 'AUTHORIZE' | 'CONFIRM' | 'COMPENSATE' | 'CANCEL_ASKED' | 'CANCEL' | 'DONE';
export type Saga = { orderId: string; step: SagaStep; reason?: RejectionReason; attempts: number; startedAt: string };

export const sagasRepo = {
  /** Takes the saga for leaseMs unless another runner holds it; null when held or done. */
  async claim(q: Tx, orderId: string, leaseMs: number): Promise<Saga | null> {
    const [row] = await q.query(
      `UPDATE sagas SET lease_until = now() + make_interval(secs => $2::float8 / 1000)
       WHERE order_id = $1 AND step <> 'DONE' AND (lease_until IS NULL OR lease_until < now())
       RETURNING order_id, step, reason, attempts, (SELECT created_at FROM orders WHERE id = $1) AS started_at`,
      [orderId, leaseMs],
    );
    return row
      ? {
          orderId: row.order_id,
          step: row.step,
          reason: (row.reason ?? undefined) as RejectionReason | undefined,
          attempts: row.attempts,
          startedAt: new Date(row.started_at).toISOString(),
        }
      : null;
  },

  /**
   * Gives a finished saga new work (a cancellation's compensations), held for leaseMs by the runner that reopens it:
   * free, a sweep could take it first and the reopening request would answer before the work is done. The work's
   * later steps continue `trace`, the trace (and request) of whatever asked for it.
   */
  async reopen(q: Tx, orderId: string, step: SagaStep, leaseMs: number, trace: StoredTrace = {}): Promise<void> {
    // A new trace brings its own request id, or none: the old one names another trace's request.
    await q.query(
      `UPDATE sagas SET step = $2, attempts = 0, last_error = NULL, next_attempt_at = now(),
         lease_until = now() + make_interval(secs => $3::float8 / 1000), updated_at = now(),
         traceparent = coalesce($4, traceparent), request_id = CASE WHEN $4::text IS NULL THEN request_id ELSE $5 END
       WHERE order_id = $1`,
      [orderId, step, leaseMs, trace.traceparent ?? null, trace.requestId ?? null],
    );
  },

  /** Moves the saga to its next step; a finished saga lets go of its lease. In a transaction, deferred (Tx.defer). */
  async advance(q: Tx, orderId: string, step: SagaStep, reason?: RejectionReason): Promise<void> {
    await q.defer(
      `UPDATE sagas SET step = $2, reason = coalesce($3, reason), attempts = 0, last_error = NULL, next_attempt_at = now(),
         lease_until = CASE WHEN $2 = 'DONE' THEN NULL ELSE lease_until END, updated_at = now() WHERE order_id = $1`,
      [orderId, step, reason ?? null],
    );
  },

  /** A transient failure: try again after an exponential delay, without holding the lease meanwhile. */
  async retryLater(q: Tx, orderId: string, error: string, baseMs: number): Promise<void> {
    await q.query(
      `UPDATE sagas SET attempts = attempts + 1, last_error = $2, lease_until = NULL,
         next_attempt_at = now() + make_interval(secs => least($3::float8 * power(2, attempts), 30000) / 1000), updated_at = now()
       WHERE order_id = $1`,
      [orderId, error.slice(0, 500), baseMs],
    );
  },

  /**
   * Unfinished sagas whose next attempt is due and that nobody holds, oldest first, with the trace they continue;
   * run it in a transaction.
   */
  async due(tx: Tx, limit: number): Promise<{ orderId: string; trace: StoredTrace }[]> {
    // Without a sort the planner walks sagas_due in order, which marks the entries of finished sagas dead for later
    // sweeps; a bitmap scan (its choice otherwise) reads every entry left since the last VACUUM, growing with the table.
    await tx.query('SET LOCAL enable_sort = off');
    const rows = await tx.query(
      `SELECT order_id, traceparent, request_id FROM sagas
       WHERE step <> 'DONE' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
       ORDER BY next_attempt_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      orderId: r.order_id,
      trace: { traceparent: r.traceparent ?? undefined, requestId: r.request_id ?? undefined },
    }));
  },

  /** Frees every unfinished saga's lease: at start-up, when no other runner can hold one (embedded mode). */
  async releaseAllLeases(q: Tx): Promise<void> {
    await q.query("UPDATE sagas SET lease_until = NULL WHERE step <> 'DONE'");
  },

  /** Orders by status, sagas by step, and how many unfinished sagas' last attempt failed, the newest `limit` of them. */
  async overview(q: Tx, limit: number) {
    const failing = "step <> 'DONE' AND (attempts > 0 OR last_error IS NOT NULL)";
    const [statuses, steps, [{ n: retryingCount }], retrying] = [
      await q.query('SELECT status, count(*)::int AS n FROM orders GROUP BY status'),
      await q.query('SELECT step, count(*)::int AS n FROM sagas GROUP BY step'),
      await q.query(`SELECT count(*)::int AS n FROM sagas WHERE ${failing}`),
      await q.query(
        `SELECT order_id, step, reason, attempts, last_error, next_attempt_at, updated_at FROM sagas
         WHERE ${failing} ORDER BY updated_at DESC LIMIT $1`,
        [limit],
      ),
    ];
    return {
      ordersByStatus: Object.fromEntries(statuses.map((r) => [r.status, r.n])) as Record<string, number>,
      sagasByStep: Object.fromEntries(steps.map((r) => [r.step, r.n])) as Record<string, number>,
      retryingCount: retryingCount as number,
      retrying: retrying.map((r) => ({
        orderId: r.order_id as string,
        step: r.step as SagaStep,
        reason: (r.reason ?? undefined) as RejectionReason | undefined,
        attempts: r.attempts as number,
        lastError: (r.last_error ?? undefined) as string | undefined,
        nextAttemptAt: new Date(r.next_attempt_at).toISOString(),
        updatedAt: new Date(r.updated_at).toISOString(),
      })),
    };
  },

  /** Whether a runner holds the saga at this step now (its lease not run out). */
  async heldAt(q: Tx, orderId: string, step: SagaStep): Promise<boolean> {
    const rows = await q.query('SELECT 1 FROM sagas WHERE order_id = $1 AND step = $2 AND lease_until > now()', [
      orderId,
      step,
    ]);
    return rows.length > 0;
  },

  async stepOf(q: Tx, orderId: string): Promise<SagaStep | null> {
    const [row] = await q.query('SELECT step FROM sagas WHERE order_id = $1', [orderId]);
    return row?.step ?? null;
  },
};
