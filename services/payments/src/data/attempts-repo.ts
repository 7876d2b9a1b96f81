// The audit trail of provider calls: every authorisation, inquiry and reversal, with what the provider said.
import type { Tx } from '@bazaar/kit/database';

export type Operation = 'authorize' | 'inquire' | 'reverse';
/** Timing: when a call to the provider started and how long it took (`at` is when its row was written). */
export type Timing = { startedAt: string; durationMs: number };
export type Attempt = {
  paymentId: string;
  provider: string;
  operation: Operation;
  txnRef: string;
  result: string;
  detail?: string;
  /** Absent on rows written before calls were timed, and on an outcome no call of its own produced. */
  timing?: Timing;
};

export const attemptsRepo = {
  /** In a transaction, sent with its next statement or its COMMIT: nothing waits for its rows (Tx.defer). */
  async record(q: Tx, ...attempts: Attempt[]): Promise<void> {
    for (const a of attempts)
      await q.defer(
        `INSERT INTO provider_attempts (payment_id, provider, operation, txn_ref, result, detail, started_at, duration_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          a.paymentId,
          a.provider,
          a.operation,
          a.txnRef,
          a.result,
          a.detail?.slice(0, 500) ?? null,
          a.timing?.startedAt ?? null,
          a.timing?.durationMs ?? null,
        ],
      );
  },

  /** The payment's trail, oldest first, after the attempt numbered `afterId`: `limit` of it, or all of it. */
  async page(
    q: Tx,
    paymentId: string,
    limit?: number,
    afterId?: string,
  ): Promise<(Attempt & { id: string; at: string })[]> {
    const rows = await q.query(
      `SELECT id::text, payment_id, provider, operation, txn_ref, result, detail, at, started_at, duration_ms
       FROM provider_attempts WHERE payment_id = $1 AND id > $2::bigint ORDER BY id LIMIT $3`,
      [paymentId, afterId ?? '0', limit ?? null],
    );
    return rows.map((r) => ({
      id: r.id,
      paymentId: r.payment_id,
      provider: r.provider,
      operation: r.operation,
      txnRef: r.txn_ref,
      result: r.result,
      detail: r.detail ?? undefined,
      at: new Date(r.at).toISOString(),
      ...(r.started_at === null
        ? {}
        : { timing: { startedAt: new Date(r.started_at).toISOString(), durationMs: r.duration_ms } }),
    }));
  },
};
