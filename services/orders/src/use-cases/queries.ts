// Reading orders: an owner sees their own, an admin sees all; anyone else is told it does not exist.
import { type Db, decodeCursor, pageOf } from '@bazaar/kit/database';
import { type Caller, notFound } from '@bazaar/kit/server';
import { ordersRepo } from '../data/orders-repo.ts';
import type { Order } from '../domain/order.ts';

export async function getOrder(db: Db, caller: Caller, orderId: string): Promise<Order> {
  const order = await ordersRepo.byId(db, orderId);
  if (!order || (caller.role !== 'admin' && order.userId !== caller.id)) throw notFound('No such order.');
  return order;
}

type ListQuery = { limit: number; cursor?: string; userId?: string; status?: string };

export async function listOrders(db: Db, caller: Caller, query: ListQuery) {
  const userId = caller.role === 'admin' ? query.userId : caller.id;
  const after = decodeCursor(query.cursor, ['time', 'string']) as [string, string] | undefined;
  const rows = await ordersRepo.list(db, { userId, status: query.status }, query.limit + 1, after);
  return pageOf(rows, query.limit, (last) => [last.createdAt, last.id]);
}
