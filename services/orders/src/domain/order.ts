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
  rejectionReason?: string;
  createdAt: string;
  updatedAt: string;
};

export const FINAL: ReadonlySet<OrderStatus> = new Set(['DELIVERED', 'REJECTED', 'CANCELLED']);

/** Which status a shipment's progress moves a confirmed order to; other steps change only the shipment. */
export function statusAfterShipment(current: OrderStatus, shipment: string): OrderStatus {
  if (shipment === 'PICKED_UP' && current === 'CONFIRMED') return 'SHIPPED';
  if (shipment === 'DELIVERED' && (current === 'CONFIRMED' || current === 'SHIPPED')) return 'DELIVERED';
  return current;
}

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

export const outOfStock = (orderId: string, shortages?: unknown) =>
  new AppError('OUT_OF_STOCK', 409, 'Not enough stock for some line of the order.', {
    orderId,
    ...(shortages ? { shortages } : {}),
  });
export const paymentDeclined = (orderId: string) =>
  new AppError('PAYMENT_DECLINED', 402, 'The wallet declined the payment; nothing was charged.', { orderId });
export const idempotencyKeyReused = () =>
  new AppError('IDEMPOTENCY_KEY_REUSED', 422, 'This Idempotency-Key was used with a different request body.');
export const notCancellable = (status: string) =>
  new AppError('NOT_CANCELLABLE', 409, `An order that is ${status} can no longer be cancelled.`);
export const unknownCity = () =>
  new AppError('VALIDATION_FAILED', 400, 'We do not deliver to this city yet; see GET /api/shipping/rates.', {}, [
    { path: 'shipping.city', message: 'is not a city we deliver to' },
  ]);
