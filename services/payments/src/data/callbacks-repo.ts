// Provider callbacks as received: stored once per (provider, txn ref, payload), so a replay is recognised.
import type { Tx } from '@bazaar/kit/database';

export const callbacksRepo = {
  /** Stores the callback; answers false when the very same one was received before. */
  async insert(
    q: Tx,
    c: { provider: string; txnRef: string; payloadHash: string; paid: boolean; payload: Record<string, string> },
  ): Promise<boolean> {
    const rows = await q.query(
      `INSERT INTO callbacks (provider, txn_ref, payload_hash, paid, payload) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (provider, txn_ref, payload_hash) DO NOTHING RETURNING id`,
      [c.provider, c.txnRef, c.payloadHash, c.paid, JSON.stringify(c.payload)],
    );
    return rows.length > 0;
  },
};
