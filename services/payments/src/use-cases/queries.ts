// Reading payments: a customer's own, an admin's all, one order's record, the ledger and its summary for `bazaar verify`.
import { type Db, decodeCursor, pageOf } from '@bazaar/kit/database';
import { type Caller, type Money, money, notFound } from '@bazaar/kit/server';
import type { PaymentMethod, PaymentRecord, PaymentSummary } from '../contracts.ts';
import { attemptsRepo } from '../data/attempts-repo.ts';
import { type JournalEntry, ledgerRepo } from '../data/ledger-repo.ts';
import { paymentsRepo } from '../data/payments-repo.ts';
import { unpaidOrdersRepo } from '../data/unpaid-orders-repo.ts';
import { publicStatus } from '../domain/payment.ts';

export type PublicPayment = {
  id: string;
  orderId: string;
  method: PaymentMethod;
  amount: Money;
  status: ReturnType<typeof publicStatus>;
  reference: string | null;
  createdAt: string;
};

/**
 * Newest first. A customer sees the payments of their own orders; asking for another's order is NOT_FOUND. An order
 * that ended before any payment (rejected out of stock) has none: its owner and admins get an empty list.
 */
export async function listPayments(db: Db, caller: Caller, q: { orderId?: string; limit: number; cursor?: string }) {
  const after = decodeCursor(q.cursor, ['time', 'string']) as [string, string] | undefined;
  const userId = caller.role === 'admin' ? undefined : caller.id;
  const rows = await paymentsRepo.list(db, { userId, orderId: q.orderId, limit: q.limit + 1, after });
  if (q.orderId && rows.length === 0 && !after) {
    const owner = await unpaidOrdersRepo.ownerOf(db, q.orderId);
    if (owner === null || (userId !== undefined && owner !== userId)) throw notFound('No payment for this order.');
  }
  const page = pageOf(rows, q.limit, (last) => [last.createdAt, last.id]);
  const items: PublicPayment[] = page.items.map((p) => ({
    id: p.id,
    orderId: p.orderId,
    method: p.method!,
    amount: money(p.amount),
    status: publicStatus(p.status),
    reference: p.reference,
    createdAt: p.createdAt,
  }));
  return { items, nextCursor: page.nextCursor };
}

/** The order's payment as the saga and operators see it, with what the ledger says and every provider call. */
export async function paymentOfOrder(db: Db, orderId: string): Promise<PaymentRecord> {
  const p = await paymentsRepo.byOrder(db, orderId);
  if (!p) throw notFound('No payment for this order.');
  const [totals, trail] = await Promise.all([ledgerRepo.totals(db, p.id), attemptsRepo.page(db, p.id)]);
  const attempts = trail.map(({ operation, result, at }) => ({ operation, result, at }));
  const { leased: _leased, leaseToken: _leaseToken, wallet: _wallet, ...record } = p;
  return {
    ...record,
    amount: money(p.amount),
    captured: money(totals.captured),
    refunded: money(totals.refunded),
    attempts,
  };
}

/**
 * The provider calls made for a payment, oldest first: the trail an admin reads to see why it ended as it did. Only a
 * decline's detail is the provider's own words; other details are our errors (connection messages naming hosts), and
 * stay in the logs.
 */
export async function providerAttempts(db: Db, paymentId: string, q: { limit: number; cursor?: string }) {
  const [after] = (decodeCursor(q.cursor, ['serial']) ?? []) as string[];
  const rows = await attemptsRepo.page(db, paymentId, q.limit + 1, after);
  if (rows.length === 0 && !after && !(await paymentsRepo.exists(db, paymentId)))
    throw notFound('No payment with this id.');
  const page = pageOf(rows, q.limit, (last) => [last.id]);
  const items = page.items.map(({ provider, operation, txnRef, result, detail, at, timing }) => ({
    provider,
    operation,
    txnRef,
    result,
    ...(result === 'declined' && detail ? { detail } : {}),
    ...timing,
    at,
  }));
  return { items, nextCursor: page.nextCursor };
}

/**
 * A page of every payment's captured, refunded and held amounts from the ledger, newest first, and the ledger's own
 * audit: the whole journal's, and the page's payments'.
 */
export async function paymentSummary(db: Db, q: { limit: number; cursor?: string }): Promise<PaymentSummary> {
  const after = decodeCursor(q.cursor, ['time', 'string']) as [string, string] | undefined;
  const [rows, accounts, unbalanced, entries] = await Promise.all([
    ledgerRepo.byPayment(db, q.limit + 1, after),
    ledgerRepo.accounts(db),
    ledgerRepo.unbalancedEntries(db),
    ledgerRepo.entryCount(db),
  ]);
  const page = pageOf(rows, q.limit, (last) => [last.createdAt, last.id]);
  const byOrder = page.items.map(({ id: _id, createdAt: _createdAt, ...p }) => p);
  const debit = accounts.reduce((sum, a) => sum + a.debit, 0);
  const credit = accounts.reduce((sum, a) => sum + a.credit, 0);
  const problems: string[] = [];
  if (unbalanced > 0) problems.push(`${unbalanced} journal entries do not balance`);
  for (const p of byOrder) {
    if (p.held !== 0 && p.status !== 'AUTHORIZED') problems.push(`${p.orderId} (${p.status}) still holds ${p.held}`);
    if (p.refunded > p.captured) problems.push(`${p.orderId}: refunded ${p.refunded} exceeds captured ${p.captured}`);
    if (p.status === 'CAPTURED' && p.captured - p.refunded !== p.amount)
      problems.push(`${p.orderId}: captured ${p.captured - p.refunded} of ${p.amount}`);
  }
  return {
    byOrder,
    truncated: page.nextCursor !== null,
    nextCursor: page.nextCursor,
    ledger: {
      balanced: unbalanced === 0 && debit === credit,
      entries,
      accounts: accounts.map((a) => ({ ...a, balance: a.debit - a.credit })),
      problems,
    },
  };
}

export function journal(db: Db, q: { orderId?: string; limit: number }): Promise<JournalEntry[]> {
  return ledgerRepo.entries(db, q);
}
