import { describe, expect, it } from 'vitest';
import type { Order } from './api.ts';
import { headline, orderTitle, paymentLine, type Reader } from './order-words.ts';

const pkr = (amount: number) => ({ amount, currency: 'PKR' as const });
const order = (method: 'cod' | 'jazzcash', paymentStatus = 'AUTHORIZED'): Order =>
  ({
    id: 'ord_605643e3',
    userId: 'usr_ayesha',
    status: 'CONFIRMED',
    items: [{ sku: 'BAT-001', name: 'Cricket bat', quantity: 1, unitPrice: pkr(1_250_000) }],
    subtotal: pkr(1_250_000),
    shippingFee: pkr(45_000),
    total: pkr(1_295_000),
    payment: { method, status: paymentStatus },
    shipping: { city: 'Karachi', address: '12 Clifton', phone: '03001234567', courier: 'Leopards' },
    createdAt: '2026-12-07T17:00:00Z',
    updatedAt: '2026-12-07T17:00:00Z',
  }) as Order;

const shopper: Reader = { own: true };
const admin: Reader = { own: false, customer: 'Ayesha Khan' };
const statuses = ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'] as const;

describe('order words', () => {
  it('speak to the shopper about their own order', () => {
    expect(headline(order('cod'), 'CONFIRMED', shopper)).toBe(
      'We are handing your parcel to the courier. Pay Rs 12,950 in cash when it arrives.',
    );
    expect(headline(order('jazzcash'), 'SHIPPED', shopper)).toBe('Your parcel is on its way with Leopards.');
    expect(paymentLine(order('cod'), shopper)).toBe('Cash on delivery: Authorised, pay on delivery');
    expect(orderTitle('605643E3', shopper)).toBe('Order 605643E3');
  });

  it("speak of the customer, never to them, when an admin reads a customer's order", () => {
    for (const method of ['cod', 'jazzcash'] as const)
      for (const status of statuses) {
        const words = headline(order(method), status, admin, 'PAYMENT_DECLINED');
        expect(words).not.toMatch(/\byour?\b|\bwe\b|thank|\bpay\b/i);
      }
    expect(headline(order('cod'), 'CONFIRMED', admin)).toBe(
      'The parcel is being handed to the courier. Ayesha Khan pays Rs 12,950 in cash on delivery.',
    );
    expect(headline(order('jazzcash'), 'DELIVERED', admin)).toBe('The parcel was delivered to Ayesha Khan.');
    expect(paymentLine(order('cod'), admin)).toBe('Cash on delivery: Authorised, to be paid on delivery');
    expect(orderTitle('605643E3', admin)).toBe('Ayesha Khan’s order 605643E3');
  });

  it('say "the customer" until their name is known', () => {
    const unnamed: Reader = { own: false };
    expect(headline(order('cod'), 'CONFIRMED', unnamed)).toContain('The customer pays Rs 12,950');
    expect(headline(order('cod'), 'DELIVERED', unnamed)).toBe('The parcel was delivered to the customer.');
    expect(orderTitle('605643E3', unnamed)).toBe('Order 605643E3');
  });
});
