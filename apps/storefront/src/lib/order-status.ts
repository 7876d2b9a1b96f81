// order-status: the way an order's status moves (API.md), to tell a status the page has not shown from a past one.
import type { OrderStatus } from './order-stream.ts';

/** PENDING → CONFIRMED → SHIPPED → DELIVERED, or PENDING → REJECTED, or CONFIRMED → CANCELLED. */
const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING: ['CONFIRMED', 'REJECTED'],
  CONFIRMED: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  REJECTED: [],
  CANCELLED: [],
};

const isStatus = (status: string): status is OrderStatus => Object.hasOwn(NEXT, status);

const statusesAfter = (status: OrderStatus): OrderStatus[] =>
  NEXT[status].flatMap((next) => [next, ...statusesAfter(next)]);

/**
 * isNewerStatus: whether `incoming` lies ahead of `shown` on the order's way. An order's event stream replays every
 * past status first; only a newer one can bring facts the page has not read. Nothing shown yet: any status is newer.
 */
export function isNewerStatus(shown: string | null, incoming: string): boolean {
  if (!isStatus(incoming)) return false;
  return shown === null || (isStatus(shown) && statusesAfter(shown).includes(incoming));
}

/**
 * hasParcel: whether an order's tracking number leads to a parcel the courier has or will have. A confirmed order
 * gets its number before pick-up, and keeps it when cancelled then, though nothing ever ships.
 */
export const hasParcel = (status: string): boolean => ['CONFIRMED', 'SHIPPED', 'DELIVERED'].includes(status);
