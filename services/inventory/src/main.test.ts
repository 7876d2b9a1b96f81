import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, anyone, customer, harness, pkr } from './test-harness.ts';

let inventory: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => {
  inventory = await harness();
});
afterAll(() => inventory.svc.stop());

const get: typeof inventory.get = (...args) => inventory.get(...args);
const post: typeof inventory.post = (...args) => inventory.post(...args);
const stock = async (sku: string) => (await get(`/api/inventory/${sku}`, admin)).json();
const newProduct = (sku: string, quantity = 10) => ({ sku, name: `Product ${sku}`, price: pkr(150_000), quantity });

describe('catalogue', () => {
  it('is seeded on first start with at least ten products priced in paisa', async () => {
    const all = (await get('/api/products?limit=100')).json();
    expect(all.items.length).toBeGreaterThanOrEqual(10);
    expect(all.items.find((p: { sku: string }) => p.sku === 'LAWN-001')).toMatchObject({
      price: { amount: 450_000, currency: 'PKR' },
    });
    for (const p of all.items) expect(Number.isInteger(p.price.amount) && p.available > 0).toBe(true);
  });

  it('seeds only once, however often the service starts', async () => {
    const { seedCatalogue } = await import('./use-cases/seed-catalogue.ts');
    expect(await seedCatalogue(inventory.svc.db)).toBe(0);
  });

  it('finds products by name, description or sku in any case, with wildcards taken literally', async () => {
    expect((await get('/api/products?q=CHAPPAL')).json().items.map((p: { sku: string }) => p.sku)).toEqual([
      'CHAPPAL-001',
    ]);
    expect((await get('/api/products?q=hunza')).json().items[0].sku).toBe('APRICOT-001');
    expect((await get('/api/products?q=lawn-0')).json().items[0].sku).toBe('LAWN-001');
    expect((await get('/api/products?q=%25')).json().items).toEqual([]);
    expect((await get('/api/products?q=_')).json().items).toEqual([]);
  });

  it('finds products holding every word searched for, anywhere, a plural finding its singular', async () => {
    const skus = async (q: string) =>
      (await get(`/api/products?q=${encodeURIComponent(q)}`)).json().items.map((p: { sku: string }) => p.sku);
    expect(await skus('chappals')).toEqual(['CHAPPAL-001']);
    expect(await skus('shawl ajrak')).toEqual(['AJRAK-001']);
    expect(await skus('ajrak shawls')).toEqual(['AJRAK-001']);
    expect(await skus('ajrak chappal')).toEqual([]);
  });

  it('pages the whole catalogue in sku order by cursor, each product once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/api/products?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json();
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((p: { sku: string }) => p.sku));
      cursor = page.nextCursor;
    } while (cursor);
    const all = (await get('/api/products?limit=100')).json().items.map((p: { sku: string }) => p.sku);
    expect(seen).toEqual(all);
    expect([...seen].sort()).toEqual(seen);
  });

  it('rejects a limit outside 1..100 and a forged cursor with VALIDATION_FAILED', async () => {
    expect((await get('/api/products?limit=0')).json().code).toBe('VALIDATION_FAILED');
    expect((await get('/api/products?limit=101')).json().code).toBe('VALIDATION_FAILED');
    expect((await get('/api/products?cursor=not-ours!')).json().code).toBe('VALIDATION_FAILED');
  });

  it('shows one product, and answers an unknown sku with NOT_FOUND', async () => {
    const rice = await get('/api/products/RICE-001');
    expect(rice.json()).toEqual({
      sku: 'RICE-001',
      name: 'Basmati rice, 5 kg',
      description: expect.any(String),
      price: pkr(215_000),
      available: 200,
    });
    const missing = await get('/api/products/NOPE-404');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('NOT_FOUND');
  });
});

describe('admin stock management', () => {
  it('creates a product with its opening stock and an empty description by default', async () => {
    const created = await post('/api/inventory', {
      sku: 'BANGLE-001',
      name: ' Glass bangles, dozen ',
      price: pkr(45_000),
      quantity: 30,
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({
      sku: 'BANGLE-001',
      name: 'Glass bangles, dozen',
      description: '',
      price: pkr(45_000),
      available: 30,
    });
    expect((await get('/api/products/BANGLE-001')).json().available).toBe(30);
    expect(await stock('BANGLE-001')).toEqual({
      sku: 'BANGLE-001',
      onHand: 30,
      reserved: 0,
      available: 30,
      sold: 0,
      initial: 30,
      adjustments: 0,
    });
  });

  it('logs a product created and a stock adjustment once each, with the admin and the request trace', async () => {
    const created = await post('/api/inventory', newProduct('LOG-001', 12));
    const adjusted = await post('/api/inventory/LOG-001/adjustments', { delta: -2, reason: 'broken in transit' });
    expect(adjusted.statusCode).toBe(200);
    await post('/api/inventory/LOG-001/adjustments', { delta: -100, reason: 'too many' }); // refused: not logged
    expect(inventory.lines.filter((l) => l.sku === 'LOG-001')).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'product created',
        quantity: 12,
        by: 'usr_admin',
        traceId: created.headers['x-trace-id'],
      }),
      expect.objectContaining({
        level: 'info',
        msg: 'stock adjusted',
        delta: -2,
        reason: 'broken in transit',
        onHand: 10,
        available: 10,
        by: 'usr_admin',
        traceId: adjusted.headers['x-trace-id'],
      }),
    ]);
  });

  it('refuses a second product with the same sku with SKU_EXISTS', async () => {
    const again = await post('/api/inventory', newProduct('LAWN-001'));
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('SKU_EXISTS');
    expect((await get('/api/products/LAWN-001')).json().price.amount).toBe(450_000);
  });

  it('rejects wrong types, bad values and unknown fields, nested ones too, with VALIDATION_FAILED and creates nothing', async () => {
    const bad: [object, string][] = [
      [{ ...newProduct('BAD-1'), quantity: '10' }, 'quantity'],
      [{ ...newProduct('BAD-2'), quantity: 2.5 }, 'quantity'],
      [{ ...newProduct('BAD-3'), quantity: -1 }, 'quantity'],
      [{ ...newProduct('BAD-4'), quantity: 1_000_001 }, 'quantity'],
      [{ ...newProduct('BAD-5'), price: pkr(0) }, 'price.amount'],
      [{ ...newProduct('BAD-6'), price: { amount: 1999.5, currency: 'PKR' } }, 'price.amount'],
      [{ ...newProduct('BAD-7'), price: { amount: 100, currency: 'USD' } }, 'price.currency'],
      [{ ...newProduct('BAD-8'), price: { ...pkr(100), discount: 5 } }, 'price.discount'],
      [{ ...newProduct('BAD-9'), available: 99 }, 'available'],
      [{ ...newProduct('bad-10') }, 'sku'],
      [{ ...newProduct('BAD-11'), name: '   ' }, 'name'],
    ];
    for (const [body, path] of bad) {
      const res = await post('/api/inventory', body);
      expect(res.statusCode, path).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    const skus = (await get('/api/products?q=bad&limit=100')).json().items;
    expect(skus).toEqual([]);
  });

  it('lets only admins manage stock: a customer gets FORBIDDEN, no caller UNAUTHENTICATED, no internal key 401', async () => {
    expect((await post('/api/inventory', newProduct('AUTH-1'), customer)).json().code).toBe('FORBIDDEN');
    expect((await post('/api/inventory', newProduct('AUTH-1'), anyone)).json().code).toBe('UNAUTHENTICATED');
    expect((await post('/api/inventory', newProduct('AUTH-1'), {})).statusCode).toBe(401);
    expect((await post('/api/inventory/LAWN-001/adjustments', { delta: 5, reason: 'x' }, customer)).json().code).toBe(
      'FORBIDDEN',
    );
    expect((await get('/api/inventory', customer)).json().code).toBe('FORBIDDEN');
    expect((await get('/api/inventory/LAWN-001', anyone)).json().code).toBe('UNAUTHENTICATED');
    expect((await get('/api/products/AUTH-1')).statusCode).toBe(404);
  });

  it('refuses an unauthorised caller before looking at the body', async () => {
    const res = await post('/api/inventory', { sku: 5 }, customer);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
  });

  it('adjusts stock on hand and records the delta', async () => {
    await post('/api/inventory', newProduct('ADJ-001', 10));
    const up = await post('/api/inventory/ADJ-001/adjustments', { delta: 15, reason: 'delivery from Faisalabad' });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({ sku: 'ADJ-001', available: 25 });
    const down = await post('/api/inventory/ADJ-001/adjustments', { delta: -5, reason: 'damaged in the monsoon' });
    expect(down.json().available).toBe(20);
    expect(await stock('ADJ-001')).toMatchObject({ onHand: 20, initial: 10, adjustments: 10 });
  });

  it('answers an adjustment below what is reserved with STOCK_CONFLICT, and changes nothing', async () => {
    await post('/api/inventory', newProduct('ADJ-002', 10));
    expect(
      (await post('/internal/reservations', { orderId: 'ord_adj_2', lines: [{ sku: 'ADJ-002', quantity: 4 }] }, anyone))
        .statusCode,
    ).toBe(200);
    const conflict = await post('/api/inventory/ADJ-002/adjustments', { delta: -7, reason: 'count' });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ code: 'STOCK_CONFLICT', onHand: 10, reserved: 4 });
    const belowZero = await post('/api/inventory/ADJ-002/adjustments', { delta: -11, reason: 'count' });
    expect(belowZero.json().code).toBe('STOCK_CONFLICT');
    const exact = await post('/api/inventory/ADJ-002/adjustments', { delta: -6, reason: 'count' });
    expect(exact.json().available).toBe(0);
    expect(await stock('ADJ-002')).toMatchObject({ onHand: 4, reserved: 4, available: 0, adjustments: -6 });
  });

  it('answers an adjustment of an unknown sku with NOT_FOUND and a bad adjustment with VALIDATION_FAILED', async () => {
    expect((await post('/api/inventory/NOPE-404/adjustments', { delta: 1, reason: 'x' })).json().code).toBe(
      'NOT_FOUND',
    );
    for (const body of [
      { delta: 0, reason: 'x' },
      { delta: 1.5, reason: 'x' },
      { delta: 1, reason: '' },
      { delta: 1, reason: 'x'.repeat(201) },
      { delta: 1 },
      { delta: 1, reason: 'x', by: 'me' },
    ]) {
      const res = await post('/api/inventory/LAWN-001/adjustments', body);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
    expect(await stock('LAWN-001')).toMatchObject({ onHand: 120, adjustments: 0 });
  });

  it('lists stock levels of every sku for admins, paged', async () => {
    const first = (await get('/api/inventory?limit=5', admin)).json();
    expect(first.items).toHaveLength(5);
    const second = (await get(`/api/inventory?limit=5&cursor=${first.nextCursor}`, admin)).json();
    expect(second.items[0].sku > first.items[4].sku).toBe(true);
    expect(first.items[0]).toEqual({
      sku: expect.any(String),
      onHand: expect.any(Number),
      reserved: expect.any(Number),
      available: expect.any(Number),
      sold: expect.any(Number),
      initial: expect.any(Number),
      adjustments: expect.any(Number),
    });
  });

  it('lists the stock levels of the skus asked for, in sku order, and refuses a list that is not of skus', async () => {
    const some = (await get('/api/inventory?sku=TEA-001,LAWN-001,NOPE-404', admin)).json();
    expect(some.items.map((l: { sku: string }) => l.sku)).toEqual(['LAWN-001', 'TEA-001']);
    for (const bad of ['lawn-001', 'LAWN-001,', 'LAWN-001;TEA-001', Array(101).fill('TEA-001').join(',')]) {
      const res = await get(`/api/inventory?sku=${encodeURIComponent(bad)}`, admin);
      expect(res.statusCode, bad.slice(0, 30)).toBe(400);
    }
  });

  it('keeps the internal reservation API out of the OpenAPI document', async () => {
    const doc = (await get('/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/products',
        '/api/products/{sku}',
        '/api/inventory',
        '/api/inventory/{sku}/adjustments',
      ]),
    );
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/internal'))).toBe(false);
  });
});
