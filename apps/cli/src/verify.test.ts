// How `bazaar verify` shows money, and how it judges stock, money, the ledger and the order history against the orders.
import { describe, expect, it } from 'vitest';
import { checkHistory, checkLedger, checkMoney, checkStock, rupees } from './verify.ts';

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

  const entry = (orderId: string, status: string) => ({ orderId, status, total: { amount: 100 }, itemCount: 0 });

  it('holds when every order is in the history with its status', () => {
    const check = checkHistory(
      [order('o1', 'DELIVERED'), order('o2', 'REJECTED')],
      [entry('o2', 'REJECTED'), entry('o1', 'DELIVERED')],
    );
    expect(check).toMatchObject({ ok: true, problems: [] });
  });

  it('names an order missing from the history and one whose status it has not caught up with', () => {
    const check = checkHistory([order('o1', 'CANCELLED'), order('o2', 'CONFIRMED')], [entry('o1', 'CONFIRMED')]);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([
      "o1 is CANCELLED, its customer's order history says CONFIRMED",
      "o2 (CONFIRMED) is missing from its customer's order history",
    ]);
  });

  it('names an entry of the right status whose total, item count or tracking number is not the order’s', () => {
    const shipped = {
      ...order('o1', 'SHIPPED'),
      total: { amount: 225_000 },
      items: [{ sku: 'TEA-001', quantity: 2 }],
      shipping: { trackingNumber: 'TCS000000000001' },
    };
    const check = checkHistory([shipped], [{ ...entry('o1', 'SHIPPED'), total: { amount: 25_000 }, itemCount: 2 }]);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([
      "o1 has total Rs 2,250.00, its customer's order history says Rs 250.00",
      "o1 has trackingNumber TCS000000000001, its customer's order history says none",
    ]);
    const caughtUp = { ...entry('o1', 'SHIPPED'), total: { amount: 225_000 }, itemCount: 2 };
    expect(checkHistory([shipped], [{ ...caughtUp, trackingNumber: 'TCS000000000001' }]).ok).toBe(true);
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
  const ledger = { balanced: true, problems: [] };

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

describe('the stock check', () => {
  const order = (id: string, status: string, quantity: number) => ({
    id,
    status,
    total: { amount: 100 },
    payment: { method: 'cod' },
    items: [{ sku: 'RICE-005', quantity }],
  });
  const level = (reserved: number, sold: number) => ({
    sku: 'RICE-005',
    onHand: 20 - sold,
    reserved,
    available: 20 - sold - reserved,
    sold,
    initial: 20,
    adjustments: 0,
  });

  it('holds while what is reserved is what pending orders may hold', () => {
    const orders = [order('o1', 'PENDING', 2), order('o2', 'PENDING', 3), order('o3', 'DELIVERED', 4)];
    expect(checkStock([level(5, 4)], orders)).toMatchObject({ ok: true, problems: [] });
  });

  it('names stock reserved beyond what pending orders hold, though some order is pending', () => {
    // o2 was rejected and its 3 units never released: while o1 was pending this passed.
    const orders = [order('o1', 'PENDING', 2), order('o2', 'REJECTED', 3)];
    expect(checkStock([level(5, 0)], orders).problems).toEqual(['RICE-005: 5 reserved, pending orders hold at most 2']);
  });
});

describe('the ledger check', () => {
  it("names the payments service's own findings, though debits equal credits", () => {
    const problem = 'ord_1: refunded 200 exceeds captured 100';
    const check = checkLedger({ byOrder: [], ledger: { balanced: true, problems: [problem] } });
    expect(check).toMatchObject({ ok: false, problems: [problem] });
    expect(checkLedger({ byOrder: [], ledger: { balanced: false, problems: [] } }).problems).toEqual([
      'the ledger does not balance',
    ]);
  });
});
