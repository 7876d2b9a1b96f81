// A customer's order history, newest first, from the users service's own read model; and every customer's, for admins.
import { type Db, decodeCursor, pageOf } from '@bazaar/kit/database';
import { type HistoryEntry, orderHistoryRepo } from '../data/order-history-repo.ts';

export async function orderHistory(
  db: Db,
  userId: string,
  limit: number,
  cursor?: string,
): Promise<{ items: HistoryEntry[]; nextCursor: string | null }> {
  const after = decodeCursor(cursor, ['time', 'string']) as [string, string] | undefined;
  const rows = await orderHistoryRepo.list(db, userId, limit + 1, after);
  return pageOf(rows, limit, (last) => [last.placedAt, last.orderId]);
}

/** Every customer's history entries in order id order: what `bazaar verify` compares with the orders themselves. */
export async function allOrderHistory(
  db: Db,
  limit: number,
  cursor?: string,
): Promise<{ items: (HistoryEntry & { userId: string })[]; nextCursor: string | null }> {
  const [after] = decodeCursor(cursor, ['string']) ?? [];
  const rows = await orderHistoryRepo.listAll(db, limit + 1, after === undefined ? undefined : String(after));
  return pageOf(rows, limit, (last) => [last.orderId]);
}
