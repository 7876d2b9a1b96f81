// The public API's shapes (shared/API.md) as the storefront and the console read them, with its statuses and methods.
export type Money = { amount: number; currency: string };
export type Page<T> = { items: T[]; nextCursor: string | null };

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
/** An order in one of these states changes no more. */
export const FINAL_STATUSES: readonly string[] = ['DELIVERED', 'REJECTED', 'CANCELLED'];
export const isFinal = (status: string) => FINAL_STATUSES.includes(status);

export type PaymentMethod = 'jazzcash' | 'easypaisa' | 'cod';
/** How people name each payment method. */
export const METHOD_NAMES: Record<PaymentMethod, string> = {
  jazzcash: 'JazzCash',
  easypaisa: 'EasyPaisa',
  cod: 'Cash on delivery',
};
/** A product as the catalogue shows it; `available` is on hand minus reserved. */
export type Product = { sku: string; name: string; description: string; price: Money; available: number };
/** The stock ledger of one sku (admin): initial + adjustments = available + reserved + sold. */
export type StockLevel = {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
  sold: number;
  initial: number;
  adjustments: number;
};

export type OrderItem = { sku: string; name: string; quantity: number; unitPrice: Money };
export type Order = {
  id: string;
  userId: string;
  status: OrderStatus;
  items: OrderItem[];
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

export type Payment = {
  id: string;
  orderId: string;
  method: PaymentMethod;
  amount: Money;
  status: string;
  reference: string | null;
  createdAt: string;
};
export type Shipment = {
  trackingNumber: string;
  courier: string;
  city: string;
  status: string;
  history: { status: string; at: string }[];
};
