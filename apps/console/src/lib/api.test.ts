import { describe, expect, it } from 'vitest';
import { ApiError, createApi } from './api.ts';

/** An API client whose requests are recorded and answered with `answer`. */
function recorded(answer: () => Response) {
  const asked: { url: string; authorization?: string }[] = [];
  const api = createApi({
    token: () => 'tok',
    fetch: async (input, init) => {
      asked.push({
        url: String(input),
        authorization: (init?.headers as Record<string, string> | undefined)?.authorization,
      });
      return answer();
    },
  });
  return { api, asked };
}

describe('the console’s API client', () => {
  it('asks for orders with the filters given and no others, and for one order’s payments and shipment', async () => {
    const { api, asked } = recorded(() => Response.json({ items: [], nextCursor: null }));
    await api.orders();
    await api.orders({ status: 'PENDING', cursor: 'c/1+2' });
    await api.order('ord_a/b');
    await api.payments('ord_a');
    await api.shipment('TRK 1');
    expect(asked.map((a) => a.url)).toEqual([
      '/api/orders?limit=20',
      '/api/orders?limit=20&status=PENDING&cursor=c%2F1%2B2',
      '/api/orders/ord_a%2Fb',
      '/api/payments?orderId=ord_a&limit=100',
      '/api/shipments/TRK%201',
    ]);
    expect(asked.every((a) => a.authorization === 'Bearer tok')).toBe(true);
  });

  it('turns a problem answer into an ApiError with its code', async () => {
    const { api } = recorded(() =>
      Response.json({ status: 404, code: 'NOT_FOUND', detail: 'No such order.' }, { status: 404 }),
    );
    const error = await api.order('ord_x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).problem).toMatchObject({ status: 404, code: 'NOT_FOUND', detail: 'No such order.' });
  });

  it('asks for the catalogue and the stock ledger, and sends the admin’s changes to the sku’s own path', async () => {
    const { api, asked } = recorded(() => Response.json({ items: [], nextCursor: null }));
    await api.products();
    await api.products({ q: 'chai & naan', limit: 100, cursor: 'c/1' });
    await api.stockLevels({ skus: ['TEA-001', 'LAWN-001'], limit: 100 });
    await api.stockLevel('TEA-001');
    await api.addProduct({ sku: 'TEA-9', name: 'Chai', price: { amount: 100, currency: 'PKR' }, quantity: 1 });
    await api.editProduct('TEA-9', { name: 'Kahwa' });
    await api.adjustStock('TEA-9', { delta: -1, reason: 'breakage' });
    expect(asked.map((a) => a.url)).toEqual([
      '/api/products?limit=20',
      '/api/products?q=chai+%26+naan&limit=100&cursor=c%2F1',
      '/api/inventory?sku=TEA-001%2CLAWN-001&limit=100',
      '/api/inventory/TEA-001',
      '/api/inventory',
      '/api/inventory/TEA-9',
      '/api/inventory/TEA-9/adjustments',
    ]);
  });

  it('keeps a problem’s own members, as STOCK_CONFLICT’s onHand and reserved', async () => {
    const { api } = recorded(() =>
      Response.json(
        { status: 409, code: 'STOCK_CONFLICT', detail: 'No.', onHand: 5, reserved: 3, delta: -4 },
        { status: 409 },
      ),
    );
    const error = await api.adjustStock('TEA-9', { delta: -4, reason: 'count' }).catch((e: unknown) => e);
    expect((error as ApiError).problem).toMatchObject({ code: 'STOCK_CONFLICT', onHand: 5, reserved: 3 });
  });
});
