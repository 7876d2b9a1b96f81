// How `bazaar verify` shows money, and how it judges the users service's order history against the orders.
import { describe, expect, it } from 'vitest';
import { checkHistory, checkMoney, rupees } from './verify.ts';

it('shows paisa as rupees with thousands separators and two decimals', () => {
  expect(rupees(123_456_789)).toBe('Rs 1,234,567.89');
  expect(rupees(149_900)).toBe('Rs 1,499.00');
  expect(rupees(0)).toBe('Rs 0.00');
  expect(rupees(-5_050)).toBe('Rs -50.50');
});

describe('the order history check', () => {
  const order = (id: string, status: string) => ({
    id,
    status,
    total: { amount: 100 },
    payment: { method: 'cod' },
    items: [],
  });

  it('holds when every order is in the history with its status', () => {
    const check = checkHistory(
      [order('o1', 'DELIVERED'), order('o2', 'REJECTED')],
      [
        { orderId: 'o2', status: 'REJECTED' },
        { orderId: 'o1', status: 'DELIVERED' },
      ],
    );
    expect(check).toMatchObject({ ok: true, problems: [] });
  });

  it('names an order missing from the history and one whose status it has not caught up with', () => {
    const check = checkHistory(
      [order('o1', 'CANCELLED'), order('o2', 'CONFIRMED')],
      [{ orderId: 'o1', status: 'CONFIRMED' }],
    );
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([
      "o1 is CANCELLED, its customer's order history says CONFIRMED",
      "o2 (CONFIRMED) is missing from its customer's order history",
    ]);
  });
});

describe('the money check', () => {
  const order = (id: string, status: string, method: string) => ({
    id,
    status,
    total: { amount: 100 },
    payment: { method },
    items: [],
  });
  const payment = (orderId: string, method: string, status: string, captured: number, held: number) => ({
    orderId,
    method,
    status,
    captured,
    refunded: 0,
    held,
  });
  const ledger = { balanced: true };

  it('holds cash on delivery until the parcel is delivered, and nothing for a decided wallet order', () => {
    const check = checkMoney(
      [order('o1', 'SHIPPED', 'cod'), order('o2', 'CONFIRMED', 'jazzcash'), order('o3', 'REJECTED', 'easypaisa')],
      {
        byOrder: [
          payment('o1', 'cod', 'AUTHORIZED', 0, 100),
          payment('o2', 'jazzcash', 'CAPTURED', 100, 0),
          payment('o3', 'easypaisa', 'VOIDED', 0, 0),
        ],
        ledger,
      },
    );
    expect(check).toMatchObject({ ok: true, problems: [] });
  });

  it('names a rejected or cancelled order whose payment still holds money, though nothing was captured', () => {
    const check = checkMoney([order('o1', 'REJECTED', 'jazzcash'), order('o2', 'CANCELLED', 'cod')], {
      byOrder: [payment('o1', 'jazzcash', 'AUTHORIZED', 0, 100), payment('o2', 'cod', 'AUTHORIZED', 0, 100)],
      ledger,
    });
    expect(check.problems).toEqual([
      'o1 (REJECTED, jazzcash): Rs 1.00 held, expected Rs 0.00',
      'o2 (CANCELLED, cod): Rs 1.00 held, expected Rs 0.00',
    ]);
  });
});
