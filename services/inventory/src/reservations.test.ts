import type { Envelope } from '@bazaar/kit/messaging';
import { InProcessBroker } from '@bazaar/kit/messaging';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { reservationPaths, StockChanged, type StockChangedData } from './contracts.ts';
import { start } from './main.ts';

const key = 'test-key';
const broker = new InProcessBroker();
const events: Envelope<StockChangedData>[] = [];
let svc: Awaited<ReturnType<typeof start>>;
const admin = { 'x-internal-key': key, 'x-user-id': 'usr_admin', 'x-user-role': 'admin' };
const internal = { 'x-internal-key': key };
const pkr = (amount: number) => ({ amount, currency: 'PKR' });

beforeAll(async () => {
  await broker.subscribe('test', [StockChanged], async (e) => void events.push(e as Envelope<StockChangedData>));
  svc = await start(
    { broker, internalKey: key, dataRoot: 'memory://', logLevel: 'silent' },
    { port: 0, grpcPort: 0, seed: false },
  );
  for (const [sku, name, price, quantity] of [
    ['AJRAK-001', 'Ajrak shawl', 280_000, 10],
    ['BAT-001', 'Cricket bat', 1_250_000, 5],
    ['TEA-001', 'Kashmiri tea', 95_000, 20],
    ['TOPI-001', 'Sindhi topi', 120_000, 8],
  ] as const)
    await post('/api/inventory', { sku, name, price: pkr(price), quantity }, admin);
});
afterAll(() => svc.stop());

const post = (url: string, payload?: unknown, headers: Record<string, string> = internal) =>
  svc.app.inject({ method: 'POST', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
const reserve = (orderId: string, lines: { sku: string; quantity: number }[]) =>
  post(reservationPaths.reserve, { orderId, lines });
const commit = (orderId: string) => post(reservationPaths.commit(orderId));
const release = (orderId: string) => post(reservationPaths.release(orderId));
const stock = async (sku: string) => (await svc.app.inject({ url: `/api/inventory/${sku}`, headers: admin })).json();

describe('reservations', () => {
  it('reserves every line at once and answers with the authoritative names and prices, in sku order', async () => {
    const res = await reserve('ord_1', [
      { sku: 'TEA-001', quantity: 3 },
      { sku: 'AJRAK-001', quantity: 2 },
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      orderId: 'ord_1',
      status: 'RESERVED',
      lines: [
        { sku: 'AJRAK-001', name: 'Ajrak shawl', quantity: 2, unitPrice: pkr(280_000) },
        { sku: 'TEA-001', name: 'Kashmiri tea', quantity: 3, unitPrice: pkr(95_000) },
      ],
    });
    expect(await stock('AJRAK-001')).toMatchObject({ onHand: 10, reserved: 2, available: 8 });
    expect((await svc.app.inject({ url: '/api/products/TEA-001', headers: internal })).json().available).toBe(17);
  });

  it('answers the same order id again with the stored reservation and never reserves twice', async () => {
    const first = (await reserve('ord_2', [{ sku: 'TOPI-001', quantity: 2 }])).json();
    const again = await reserve('ord_2', [{ sku: 'TOPI-001', quantity: 5 }]);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first);
    expect(await stock('TOPI-001')).toMatchObject({ reserved: 2 });
  });

  it('when a line is short, reserves nothing and answers OUT_OF_STOCK with the shortages', async () => {
    const before = await stock('TEA-001');
    const res = await reserve('ord_3', [
      { sku: 'TEA-001', quantity: 1 },
      { sku: 'BAT-001', quantity: 6 },
      { sku: 'NOPE-404', quantity: 1 },
    ]);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'OUT_OF_STOCK',
      shortages: [
        { sku: 'BAT-001', requested: 6, available: 5 },
        { sku: 'NOPE-404', requested: 1, available: 0 },
      ],
    });
    // The lines the catalogue knows, at its price, so the refused order can show what it would have cost.
    expect(res.json().lines).toEqual([
      { sku: 'BAT-001', name: 'Cricket bat', quantity: 6, unitPrice: pkr(1_250_000) },
      { sku: 'TEA-001', name: 'Kashmiri tea', quantity: 1, unitPrice: pkr(95_000) },
    ]);
    expect(await stock('TEA-001')).toEqual(before);
    // Nothing was stored either: the order may try again once stock arrives.
    expect((await reserve('ord_3', [{ sku: 'BAT-001', quantity: 5 }])).json().status).toBe('RESERVED');
    expect((await release('ord_3')).statusCode).toBe(200);
  });

  it('rejects bad input with VALIDATION_FAILED and changes nothing', async () => {
    const before = await stock('AJRAK-001');
    const bad = [
      { orderId: 'ord_bad', lines: [] },
      { orderId: 'ord_bad', lines: [{ sku: 'AJRAK-001', quantity: 0 }] },
      { orderId: 'ord_bad', lines: [{ sku: 'AJRAK-001', quantity: '1' }] },
      { orderId: 'ord_bad', lines: [{ sku: 'AJRAK-001', quantity: 1, price: 1 }] },
      { orderId: 'ord_bad', lines: [{ sku: 'AJRAK-001', quantity: 1 }], userId: 'x' },
      { orderId: 'ord bad/../', lines: [{ sku: 'AJRAK-001', quantity: 1 }] },
      { lines: [{ sku: 'AJRAK-001', quantity: 1 }] },
      {
        orderId: 'ord_bad',
        lines: [
          { sku: 'AJRAK-001', quantity: 1 },
          { sku: 'AJRAK-001', quantity: 1 },
        ],
      },
    ];
    for (const body of bad) {
      const res = await post(reservationPaths.reserve, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
    expect(await stock('AJRAK-001')).toEqual(before);
    expect((await commit('ord_bad')).json().code).toBe('NOT_FOUND');
  });

  it('refuses a caller without the internal key', async () => {
    expect(
      (await post(reservationPaths.reserve, { orderId: 'ord_x', lines: [{ sku: 'TEA-001', quantity: 1 }] }, {}))
        .statusCode,
    ).toBe(401);
    expect((await post(reservationPaths.release('ord_x'), undefined, {})).statusCode).toBe(401);
  });

  it('commits a reservation once: the goods are sold, a repeat is a no-op, and a retried reserve sees COMMITTED', async () => {
    await reserve('ord_4', [{ sku: 'BAT-001', quantity: 2 }]);
    const done = await commit('ord_4');
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ orderId: 'ord_4', status: 'COMMITTED' });
    expect((await commit('ord_4')).json()).toEqual({ orderId: 'ord_4', status: 'COMMITTED' });
    expect(await stock('BAT-001')).toMatchObject({ onHand: 3, reserved: 0, available: 3, sold: 2 });
    expect((await reserve('ord_4', [{ sku: 'BAT-001', quantity: 2 }])).json()).toMatchObject({
      status: 'COMMITTED',
      lines: [{ sku: 'BAT-001', quantity: 2 }],
    });
    expect(await stock('BAT-001')).toMatchObject({ onHand: 3, reserved: 0 });
  });

  it('answers a commit for an order without a reservation with NOT_FOUND', async () => {
    const res = await commit('ord_never');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
  });

  it('releases a held reservation once, and a released one stays released', async () => {
    await reserve('ord_5', [{ sku: 'TOPI-001', quantity: 3 }]);
    const reservedBefore = (await stock('TOPI-001')).reserved;
    expect((await release('ord_5')).json()).toEqual({ orderId: 'ord_5', status: 'RELEASED' });
    expect((await release('ord_5')).json()).toEqual({ orderId: 'ord_5', status: 'RELEASED' });
    expect((await stock('TOPI-001')).reserved).toBe(reservedBefore - 3);
    const commitAfter = await commit('ord_5');
    expect(commitAfter.statusCode).toBe(409);
    expect(commitAfter.json().code).toBe('RESERVATION_RELEASED');
    const reserveAfter = await reserve('ord_5', [{ sku: 'TOPI-001', quantity: 3 }]);
    expect(reserveAfter.statusCode).toBe(409);
    expect(reserveAfter.json().code).toBe('RESERVATION_RELEASED');
    expect((await stock('TOPI-001')).reserved).toBe(reservedBefore - 3);
  });

  it('returns the goods of a committed order to stock on hand when it is released', async () => {
    await reserve('ord_6', [{ sku: 'TEA-001', quantity: 4 }]);
    await commit('ord_6');
    const sold = await stock('TEA-001');
    expect((await release('ord_6')).json().status).toBe('RELEASED');
    expect(await stock('TEA-001')).toMatchObject({
      onHand: sold.onHand + 4,
      sold: sold.sold - 4,
      reserved: sold.reserved,
    });
    expect((await release('ord_6')).statusCode).toBe(200);
    expect((await stock('TEA-001')).onHand).toBe(sold.onHand + 4);
  });

  it('when the release overtakes the reserve, leaves a tombstone that refuses the late reserve', async () => {
    const before = await stock('AJRAK-001');
    expect((await release('ord_7')).json()).toEqual({ orderId: 'ord_7', status: 'RELEASED' });
    const late = await reserve('ord_7', [{ sku: 'AJRAK-001', quantity: 1 }]);
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('RESERVATION_RELEASED');
    expect((await commit('ord_7')).json().code).toBe('RESERVATION_RELEASED');
    expect(await stock('AJRAK-001')).toEqual(before);
  });

  it('announces every stock change as StockChanged through the outbox, with trace context', async () => {
    const start = events.length;
    await reserve('ord_8', [{ sku: 'AJRAK-001', quantity: 1 }]);
    await commit('ord_8');
    await release('ord_8');
    await post('/api/inventory/AJRAK-001/adjustments', { delta: 1, reason: 'found one' }, admin);
    await vi.waitFor(() => expect(events.length - start).toBe(4));
    const level = await stock('AJRAK-001');
    const fresh = events.slice(start);
    expect(fresh.map((e) => e.data.reason)).toEqual(['reserved', 'committed', 'released', 'adjusted']);
    expect(fresh[3]).toMatchObject({ source: 'inventory', type: 'StockChanged', subject: 'AJRAK-001' });
    expect(fresh[3].data).toEqual({
      sku: 'AJRAK-001',
      available: level.available,
      onHand: level.onHand,
      reserved: level.reserved,
      reason: 'adjusted',
    });
    expect(fresh.every((e) => /^00-[0-9a-f]{32}-/.test(e.traceparent ?? ''))).toBe(true);
    expect(events.some((e) => e.data.reason === 'created' && e.data.sku === 'BAT-001' && e.data.available === 5)).toBe(
      true,
    );
  });

  it('keeps initial + adjustments = available + reserved + sold for every sku after a mix of operations', async () => {
    const skus = ['AJRAK-001', 'BAT-001', 'TEA-001', 'TOPI-001'];
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 120; i++) {
      const orderId = `mix_${rand(30)}`;
      const sku = skus[rand(skus.length)];
      switch (rand(5)) {
        case 0:
        case 1:
          await reserve(orderId, [{ sku, quantity: 1 + rand(3) }]);
          break;
        case 2:
          await commit(orderId);
          break;
        case 3:
          await release(orderId);
          break;
        case 4:
          await post(`/api/inventory/${sku}/adjustments`, { delta: rand(7) - 2 || 1, reason: 'stock count' }, admin);
          break;
      }
    }
    const levels = (await svc.app.inject({ url: '/api/inventory?limit=100', headers: admin })).json().items;
    expect(levels).toHaveLength(4);
    for (const l of levels) {
      expect(l.initial + l.adjustments, l.sku).toBe(l.available + l.reserved + l.sold);
      expect(l.available).toBeGreaterThanOrEqual(0);
    }
    expect(levels.some((l: { sold: number }) => l.sold > 0)).toBe(true);
    expect(levels.some((l: { adjustments: number }) => l.adjustments !== 0)).toBe(true);
  });
});
