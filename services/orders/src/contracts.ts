// What other services may rely on from orders: the events it publishes and their payloads.
import type { Money } from '@bazaar/kit/server';

export const OrderEvents = {
  placed: 'OrderPlaced',
  confirmed: 'OrderConfirmed',
  rejected: 'OrderRejected',
  cancelled: 'OrderCancelled',
  /** Every status change after placement, and news of a summary (prices, tracking number), for read models. */
  statusChanged: 'OrderStatusChanged',
} as const;

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'SHIPPED' | 'DELIVERED' | 'REJECTED' | 'CANCELLED';
export type PaymentMethod = 'jazzcash' | 'easypaisa' | 'cod';

/** Every order event carries this summary, enough for a read model to stand on its own. */
export type OrderSummary = {
  orderId: string;
  userId: string;
  status: OrderStatus;
  total: Money;
  itemCount: number;
  trackingNumber?: string;
  placedAt: string;
  updatedAt: string;
  /** The order's change counter: of two summaries of one order, the higher version is the newer. */
  version?: number;
};

export type OrderConfirmedData = OrderSummary & {
  subtotal: Money;
  shippingFee: Money;
  items: { sku: string; name: string; quantity: number; unitPrice: Money }[];
  payment: { method: PaymentMethod };
  shipping: { city: string; address: string; phone: string };
};

export type OrderRejectedData = OrderSummary & { reason: string };
export type OrderCancelledData = OrderSummary & { payment: { method: PaymentMethod } };
export type OrderStatusChangedData = OrderSummary;
