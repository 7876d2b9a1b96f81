// Cursor paging never skips or repeats an item, even when many were created within the same millisecond.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestPlatform } from '../support/platform.ts';
import { Shopper } from '../support/shop.ts';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let admin: Shopper;

beforeAll(async () => {
  platform = await startTestPlatform();
  admin = new Shopper(platform.gatewayUrl);
  await admin.logIn(ADMIN.email, ADMIN.password);
}, 60_000);
afterAll(() => platform?.stop());

async function all(path: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  for (let cursor: string | null = null; ; ) {
    const page: { body: { items: { id?: string; orderId?: string }[]; nextCursor: string | null } } = await admin.call(
      'GET',
      `${path}?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    ids.push(...page.body.items.map((i) => i.id ?? i.orderId ?? ''));
    cursor = page.body.nextCursor;
    if (!cursor) return ids;
  }
}

describe('cursor paging', () => {
  it('lists every order, payment, shipment and user exactly once, page after page', async () => {
    const shoppers = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const s = new Shopper(platform.gatewayUrl);
        await s.signUp();
        return s;
      }),
    );
    await Promise.all(
      shoppers.flatMap((s) =>
        Array.from({ length: 5 }, () => s.order([{ sku: 'TEA-001', quantity: 1 }], { method: 'cod' })),
      ),
    );
    for (const [path, expected] of [
      ['/api/orders', 30],
      ['/api/users', 7],
    ] as const) {
      const ids = await all(path, 4);
      expect(new Set(ids).size, path).toBe(ids.length);
      expect(ids.length, path).toBeGreaterThanOrEqual(expected);
      expect(ids.length, path).toBe((await all(path, 100)).length);
    }
    for (let i = 0; i < 50 && (await all('/api/shipments', 100)).length < 30; i++)
      await new Promise((r) => setTimeout(r, 100));
    const shipments = await all('/api/shipments', 3);
    expect(new Set(shipments).size).toBe(shipments.length);
    expect(shipments.length).toBe((await all('/api/shipments', 100)).length);
  });
});
