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
});
