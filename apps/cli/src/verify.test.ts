// How `bazaar verify` shows money, and how it judges the users service's order history against the orders.
import { describe, expect, it } from 'vitest';
import { checkHistory, rupees } from './verify.ts';

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
