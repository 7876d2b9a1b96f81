import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer, harness, pkr } from './test-harness.ts';

let inventory: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => {
  inventory = await harness();
});
afterAll(() => inventory.svc.stop());

const product = async (sku: string) => (await inventory.get(`/api/products/${sku}`)).json();
const create = (sku: string, name: string, price: number, quantity: number) =>
  inventory.post('/api/inventory', { sku, name, price: pkr(price), quantity });

describe("editing a product's name, description or price", () => {
  it('changes only the fields given, and logs the old and new price with the admin', async () => {
    await create('EDIT-001', 'Khussa', 250_000, 7);
    const res = await inventory.patch('/api/inventory/EDIT-001', {
      price: pkr(199_900),
      name: '  Khussa, gold thread ',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      sku: 'EDIT-001',
      name: 'Khussa, gold thread',
      description: '',
      price: pkr(199_900),
      available: 7,
    });
    await inventory.patch('/api/inventory/EDIT-001', { description: 'Hand-stitched in Multan' });
    expect(await product('EDIT-001')).toMatchObject({
      name: 'Khussa, gold thread',
      description: 'Hand-stitched in Multan',
      price: pkr(199_900),
    });
    expect(inventory.lines.find((l) => l.msg === 'product edited')).toMatchObject({
      sku: 'EDIT-001',
      price: 199_900,
      priceBefore: 250_000,
      by: 'usr_admin',
    });
  });

  it('keeps the price an order reserved at; the next reservation pays the new one', async () => {
    await create('EDIT-002', 'Ajrak', 300_000, 5);
    const reserve = (orderId: string) =>
      inventory.post('/internal/reservations', { orderId, lines: [{ sku: 'EDIT-002', quantity: 1 }] });
    expect((await reserve('ord_edit_before')).json().lines[0].unitPrice).toEqual(pkr(300_000));
    await inventory.patch('/api/inventory/EDIT-002', { price: pkr(350_000) });
    expect((await reserve('ord_edit_before')).json().lines[0].unitPrice).toEqual(pkr(300_000));
    expect((await reserve('ord_edit_after')).json().lines[0].unitPrice).toEqual(pkr(350_000));
  });

  it('refuses an empty edit, stock, a zero price, unknown fields and a customer, and changes nothing', async () => {
    await create('EDIT-003', 'Peshawari', 400_000, 3);
    for (const body of [
      {},
      { available: 99 },
      { price: pkr(0) },
      { price: { amount: 100, currency: 'USD' } },
      { name: '   ' },
      { sku: 'EDIT-004' },
    ]) {
      const res = await inventory.patch('/api/inventory/EDIT-003', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
    expect((await inventory.patch('/api/inventory/EDIT-003', { price: pkr(1) }, customer)).json().code).toBe(
      'FORBIDDEN',
    );
    expect(await product('EDIT-003')).toMatchObject({ name: 'Peshawari', price: pkr(400_000), available: 3 });
  });

  it('answers an unknown sku with NOT_FOUND', async () => {
    const res = await inventory.patch('/api/inventory/NOPE-404', { price: pkr(100) });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
  });
});
