// What the concurrency suites read back through the admin API after a scenario: a new product to race on, an
// order's ledger entries and payment summary, and `bazaar verify`'s invariants once events in flight have settled.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { type Check, verifyPlatform } from '../../apps/cli/src/verify.ts';
import { ADMIN } from './platform.ts';
import type { Shopper } from './shop.ts';

/** A product of its own for one scenario, at `price` paisa (Rs 2,500 by default). */
export async function newProduct(admin: Shopper, quantity: number, price = 250_000): Promise<string> {
  const sku = `RACE-${randomUUID().slice(0, 8).toUpperCase()}`;
  const created = await admin.call('POST', '/api/inventory', {
    sku,
    name: `Race ${sku}`,
    price: { amount: price, currency: 'PKR' },
    quantity,
  });
  expect(created.status).toBe(201);
  return sku;
}

/** The sku's stock level: `{ onHand, reserved, available, sold, initial, adjustments }`. */
export const stockOf = async (admin: Shopper, sku: string) => (await admin.call('GET', `/api/inventory/${sku}`)).body;

/** The kinds of the order's journal entries, sorted: ['authorize', 'capture'] for a paid wallet order. */
export const ledgerKinds = async (admin: Shopper, orderId: string): Promise<string[]> =>
  (await admin.call('GET', `/api/payments/ledger?orderId=${orderId}`)).body.items
    .map((e: { kind: string }) => e.kind)
    .sort();

/** The order's line of the payments summary: `{ amount, captured, refunded, held }` from the ledger. */
export const paymentSummaryOf = async (admin: Shopper, orderId: string) =>
  (await admin.call('GET', '/api/payments/summary')).body.byOrder.find(
    (p: { orderId: string }) => p.orderId === orderId,
  );

/** Every status the order went through, from its own event stream (it ends at a final state). */
export async function statusesOf(admin: Shopper, orderId: string): Promise<string[]> {
  const res = await fetch(`${admin.base}/api/orders/${orderId}/events`, {
    headers: { authorization: `Bearer ${admin.token}` },
  });
  return [...(await res.text()).matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]).status);
}

/** bazaar verify until every invariant holds (events may still be on their way: shipments lag their orders). */
export async function expectInvariants(base: string, scenario: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let checks = await verifyPlatform(base, 30_000, ADMIN);
  while (checks.some((c) => !c.ok) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    checks = await verifyPlatform(base, 30_000, ADMIN);
  }
  printChecks(`${scenario}: bazaar verify`, checks);
  expect(checks.filter((c) => !c.ok)).toEqual([]);
}

/** Prints verify's checks under a heading, each failed one with its first `shown` problems. */
export function printChecks(heading: string, checks: Check[], shown = 5): void {
  const lines = checks.map(
    (c) => `  ${c.ok ? '✓' : '✗'} ${c.name}${c.ok ? '' : `\n      ${c.problems.slice(0, shown).join('\n      ')}`}`,
  );
  console.log(`${heading}\n${lines.join('\n')}`);
}
