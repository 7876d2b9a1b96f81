// The public API's shapes (shared/API.md) as the storefront and the console read them.
export type Money = { amount: number; currency: string };
export type Page<T> = { items: T[]; nextCursor: string | null };

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'SHIPPED' | 'DELIVERED' | 'REJECTED' | 'CANCELLED';
export type PaymentMethod = 'jazzcash' | 'easypaisa' | 'cod';
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
