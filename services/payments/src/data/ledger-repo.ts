// The journal in the payments database: entries and their lines, written only through post().
import type { Tx } from '@bazaar/kit/database';
import type { PaymentMethod } from '../contracts.ts';
import { assertBalanced, type EntryKind, type Line, linesFor } from '../domain/ledger.ts';

export type JournalEntry = {
  id: number;
  paymentId: string;
  orderId: string;
  kind: EntryKind;
  createdAt: string;
  lines: Line[];
};
export type PaymentTotals = { captured: number; refunded: number; held: number };

export const ledgerRepo = {
  /**
   * Books the entry unless the payment has one of that kind already. Sent with the transaction's next statement or
   * its COMMIT (Tx.defer): nothing waits for it, and a later read in the transaction sees it.
   */
  async post(q: Tx, e: { paymentId: string; orderId: string; kind: EntryKind; lines: Line[] }): Promise<void> {
    assertBalanced(e.lines);
    // The entry and its lines in one statement; the database checks the balance at commit.
    await q.defer(
      `WITH entry AS (
         INSERT INTO journal_entries (payment_id, order_id, kind) VALUES ($1, $2, $3)
         ON CONFLICT (payment_id, kind) DO NOTHING RETURNING id
       ), lines AS (
         INSERT INTO journal_lines (entry_id, line, account, debit, credit)
         SELECT entry.id, n, account, debit, credit
         FROM entry, unnest($4::text[], $5::bigint[], $6::bigint[]) WITH ORDINALITY AS l(account, debit, credit, n)
       )
       SELECT id FROM entry`,
      [
        e.paymentId,
        e.orderId,
        e.kind,
        e.lines.map((l) => l.account),
        e.lines.map((l) => l.debit),
        e.lines.map((l) => l.credit),
      ],
    );
  },

  /** Books the standard entry of a payment event (see domain/ledger.ts). */
  book(
    q: Tx,
    p: { id: string; orderId: string; method: PaymentMethod },
    kind: EntryKind,
    amount: number,
  ): Promise<void> {
    return ledgerRepo.post(q, { paymentId: p.id, orderId: p.orderId, kind, lines: linesFor(kind, p.method, amount) });
  },

  async kinds(q: Tx, paymentId: string): Promise<Set<EntryKind>> {
    const rows = await q.query('SELECT kind FROM journal_entries WHERE payment_id = $1', [paymentId]);
    return new Set(rows.map((r) => r.kind));
  },

  async totals(q: Tx, paymentId: string): Promise<PaymentTotals> {
    const [row] = await q.query(
      `SELECT coalesce(sum(l.debit) FILTER (WHERE l.account LIKE 'captured:%'), 0) AS captured,
              coalesce(sum(l.credit) FILTER (WHERE l.account LIKE 'captured:%'), 0) AS refunded,
              coalesce(sum(l.debit - l.credit) FILTER (WHERE l.account LIKE 'holds:%'), 0) AS held
       FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id WHERE e.payment_id = $1`,
      [paymentId],
    );
    return { captured: row.captured, refunded: row.refunded, held: row.held };
  },

  /** Entries with their lines, newest first; of one order when given. */
  async entries(q: Tx, f: { orderId?: string; limit: number }): Promise<JournalEntry[]> {
    const rows = await q.query(
      `SELECT e.id, e.payment_id, e.order_id, e.kind, e.created_at,
              json_agg(json_build_object('account', l.account, 'debit', l.debit, 'credit', l.credit) ORDER BY l.line) AS lines
       FROM (SELECT * FROM journal_entries WHERE $1::text IS NULL OR order_id = $1 ORDER BY id DESC LIMIT $2) e
       JOIN journal_lines l ON l.entry_id = e.id
       GROUP BY e.id, e.payment_id, e.order_id, e.kind, e.created_at ORDER BY e.id DESC`,
      [f.orderId ?? null, f.limit],
    );
    return rows.map((r) => ({
      id: r.id,
      paymentId: r.payment_id,
      orderId: r.order_id,
      kind: r.kind,
      createdAt: new Date(r.created_at).toISOString(),
      lines: (typeof r.lines === 'string' ? JSON.parse(r.lines) : r.lines).map((l: Line) => ({
        account: l.account,
        debit: Number(l.debit),
        credit: Number(l.credit),
      })),
    }));
  },

  async accounts(q: Tx): Promise<{ account: string; debit: number; credit: number }[]> {
    const rows = await q.query(
      'SELECT account, sum(debit) AS debit, sum(credit) AS credit FROM journal_lines GROUP BY account ORDER BY account',
    );
    return rows.map((r) => ({ account: r.account, debit: r.debit, credit: r.credit }));
  },

  async entryCount(q: Tx): Promise<number> {
    const [row] = await q.query('SELECT count(*)::int AS n FROM journal_entries');
    return row.n;
  },

  /** Entries whose lines do not balance or that have fewer than two (the database refuses both; this audits it). */
  async unbalancedEntries(q: Tx): Promise<number> {
    const [row] = await q.query(
      `SELECT count(*)::int AS n FROM journal_entries e
       LEFT JOIN (SELECT entry_id, sum(debit) AS d, sum(credit) AS c, count(*) AS lines FROM journal_lines GROUP BY entry_id) l ON l.entry_id = e.id
       WHERE l.entry_id IS NULL OR l.d <> l.c OR l.lines < 2`,
    );
    return row.n;
  },

  /** Per payment, newest first (after the one `after` names): what the ledger says was captured, refunded and is held. */
  async byPayment(q: Tx, limit: number, after?: [string, string]) {
    const rows = await q.query(
      `SELECT p.id, p.created_at, p.order_id, p.method, p.status, p.amount,
              coalesce(sum(l.debit) FILTER (WHERE l.account LIKE 'captured:%'), 0) AS captured,
              coalesce(sum(l.credit) FILTER (WHERE l.account LIKE 'captured:%'), 0) AS refunded,
              coalesce(sum(l.debit - l.credit) FILTER (WHERE l.account LIKE 'holds:%'), 0) AS held
       FROM (SELECT * FROM payments WHERE $2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::text)
             ORDER BY created_at DESC, id DESC LIMIT $1) p
       LEFT JOIN journal_entries e ON e.payment_id = p.id
       LEFT JOIN journal_lines l ON l.entry_id = e.id
       GROUP BY p.id, p.order_id, p.method, p.status, p.amount, p.created_at
       ORDER BY p.created_at DESC, p.id DESC`,
      [limit, after?.[0] ?? null, after?.[1] ?? null],
    );
    return rows.map((r) => ({
      id: r.id as string,
      createdAt: new Date(r.created_at).toISOString(),
      orderId: r.order_id as string,
      method: r.method,
      status: r.status,
      amount: r.amount as number,
      captured: r.captured as number,
      refunded: r.refunded as number,
      held: r.held as number,
    }));
  },
};
