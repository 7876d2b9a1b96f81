// An order as the API shows it, the moves its status may make, and the errors of this bounded context.
import { AppError, type Money, money } from '@bazaar/kit/server';
import type { OrderStatus, OrderSummary, PaymentMethod } from '../contracts.ts';

export type Line = { sku: string; quantity: number; name?: string; unitPrice?: number };

export type Order = {
  id: string;
  userId: string;
  status: OrderStatus;
  items: { sku: string; name: string; quantity: number; unitPrice: Money }[];
  subtotal: Money;
  shippingFee: Money;
  total: Money;
  payment: { method: PaymentMethod; status: string; reference?: string };
  shipping: {
    city: string;
    address: string;
    phone: string;
    courier?: string;
    trackingNumber?: string;
    status?: string;
  };
  rejectionReason?: RejectionReason;
  createdAt: string;
  updatedAt: string;
};

export const FINAL: ReadonlySet<OrderStatus> = new Set(['DELIVERED', 'REJECTED', 'CANCELLED']);

/** The statuses a shipment's progress moves an order through, in order; none when it changes only the shipment. */
export function statusesAfterShipment(current: OrderStatus, shipment: string): OrderStatus[] {
  // Events of one shipment may arrive out of order (a stale one is dropped), so a later step implies the earlier:
  // any step past pick-up means SHIPPED, and delivery passes through SHIPPED too.
  const moving = ['PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY'].includes(shipment);
  if (current === 'CONFIRMED' && moving) return ['SHIPPED'];
  if (current === 'CONFIRMED' && shipment === 'DELIVERED') return ['SHIPPED', 'DELIVERED'];
  if (current === 'SHIPPED' && shipment === 'DELIVERED') return ['DELIVERED'];
  return [];
}

/** The most of one sku an order may hold (a line of the request, and the sum of its lines once merged). */
export const MAX_LINE_QUANTITY = 100;

/** Duplicate skus are merged into one line, so no sku is ever reserved twice. */
export function mergeLines(lines: { sku: string; quantity: number }[]): { sku: string; quantity: number }[] {
  const merged = new Map<string, number>();
  for (const { sku, quantity } of lines) merged.set(sku, (merged.get(sku) ?? 0) + quantity);
  return [...merged].map(([sku, quantity]) => ({ sku, quantity }));
}

export const summaryOf = (o: Order): OrderSummary => ({
  orderId: o.id,
  userId: o.userId,
  status: o.status,
  total: o.total,
  itemCount: o.items.reduce((n, i) => n + i.quantity, 0),
  trackingNumber: o.shipping.trackingNumber,
  placedAt: o.createdAt,
  updatedAt: o.updatedAt,
});

export const priced = (sku: string, quantity: number, name: string | undefined, unitPrice: number | undefined) => ({
  sku,
  quantity,
  name: name ?? sku,
  unitPrice: money(unitPrice ?? 0),
});

export const subtotalOf = (lines: Line[]) => lines.reduce((sum, l) => sum + (l.unitPrice ?? 0) * l.quantity, 0);

/** The order with inventory's names and prices, as the saga holds it before it writes them. */
export function withPrices(o: Order, lines: Line[]): Order {
  const subtotal = subtotalOf(lines);
  return {
    ...o,
    items: lines.map((l) => priced(l.sku, l.quantity, l.name, l.unitPrice)),
    subtotal: money(subtotal),
    total: money(subtotal + o.shippingFee.amount),
  };
}

/** Why an order was rejected: the code of the problem its placing request answers (409 for stock, 402 for payment). */
export type RejectionReason = 'OUT_OF_STOCK' | PaymentRejection;
type PaymentRejection = 'PAYMENT_DECLINED' | 'PAYMENT_TIMEOUT' | 'PAYMENT_UNAVAILABLE' | 'PAYMENT_FAILED';

/** What a client is told of an order rejected for its payment, per reason; each says that nothing was charged. */
const paymentRejections: Record<PaymentRejection, string> = {
  PAYMENT_DECLINED: 'The wallet declined the payment; nothing was charged.',
  PAYMENT_TIMEOUT: 'The payment provider did not answer in time; nothing was charged.',
  PAYMENT_UNAVAILABLE: 'The payment service or its provider could not be reached; nothing was charged.',
  PAYMENT_FAILED: 'The payment provider refused to complete the payment; nothing was charged.',
};

/** The problem a rejected order's placing request answers: 409 OUT_OF_STOCK, or 402 with the payment's reason. */
export const rejection = (reason: RejectionReason, orderId: string) =>
  reason === 'OUT_OF_STOCK'
    ? new AppError(reason, 409, 'Not enough stock for some line of the order.', { orderId })
    : new AppError(reason, 402, paymentRejections[reason], { orderId });
export const idempotencyKeyReused = () =>
  new AppError('IDEMPOTENCY_KEY_REUSED', 422, 'This Idempotency-Key was used with a different request body.');
export const notCancellable = (status: string) =>
  new AppError(
    'NOT_CANCELLABLE',
    409,
    status === 'PENDING'
      ? 'An order still PENDING cannot be cancelled yet: it is cancellable once CONFIRMED, until the courier picks it up.'
      : `An order that is ${status} can no longer be cancelled.`,
  );
export const unknownCity = () =>
  new AppError('VALIDATION_FAILED', 400, 'We do not deliver to this city yet; see GET /api/shipping/rates.', {}, [
    { path: 'shipping.city', message: 'is not a city we deliver to' },
  ]);
