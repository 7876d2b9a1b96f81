import { describe, expect, it } from 'vitest';
import { allPages, createApi } from './api.ts';
import { ApiError } from './problems.ts';

function recorder(respond: () => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return respond();
  }) as unknown as typeof globalThis.fetch;
  return { calls, fetch };
}

describe('api client', () => {
  it('sends the bearer token and the idempotency key, and answers the status with the order', async () => {
    const { calls, fetch } = recorder(
      () => new Response(JSON.stringify({ id: 'ord_1', status: 'PENDING' }), { status: 202 }),
    );
    const api = createApi({ token: () => 'tkn', fetch });
    const answer = await api.placeOrder(
      {
        items: [{ sku: 'A-1', quantity: 1 }],
        payment: { method: 'cod' },
        shipping: { city: 'Lahore', address: 'x', phone: '03001234567' },
      },
      'key-1',
    );
    expect(answer).toEqual({ status: 202, body: { id: 'ord_1', status: 'PENDING' } });
    const headers = calls[0].init.headers as Record<string, string>;
    expect(headers.authorization).toBe('Bearer tkn');
    expect(headers['idempotency-key']).toBe('key-1');
    expect(calls[0].url).toBe('/api/orders');
  });

  it('turns problems into ApiError and ends the session on UNAUTHENTICATED', async () => {
    let ended = 0;
    const { fetch } = recorder(
      () =>
        new Response(JSON.stringify({ code: 'UNAUTHENTICATED', status: 401 }), {
          status: 401,
          headers: { 'content-type': 'application/problem+json' },
        }),
    );
    const api = createApi({ token: () => 'old', fetch, onUnauthenticated: () => ended++ });
    const error = await api.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).problem.code).toBe('UNAUTHENTICATED');
    expect(ended).toBe(1);
  });

  it('reports a failed network as NETWORK', async () => {
    const api = createApi({
      token: () => undefined,
      fetch: (async () => Promise.reject(new TypeError('offline'))) as unknown as typeof fetch,
    });
    const error = (await api.rates().catch((e: unknown) => e)) as ApiError;
    expect(error.problem.code).toBe('NETWORK');
  });

  it('builds queries without empty parameters', async () => {
    const { calls, fetch } = recorder(() => new Response('{"items":[],"nextCursor":null}'));
    const api = createApi({ token: () => undefined, fetch });
    await api.products('', null);
    await api.products('lawn suit', 'c1');
    expect(calls.map((c) => c.url)).toEqual(['/api/products?limit=24', '/api/products?q=lawn+suit&cursor=c1&limit=24']);
  });

  it('follows cursors to the end', async () => {
    const pages: Record<string, { items: number[]; nextCursor: string | null }> = {
      start: { items: [1, 2], nextCursor: 'b' },
      b: { items: [3], nextCursor: null },
    };
    expect(await allPages(async (cursor) => pages[cursor ?? 'start'])).toEqual([1, 2, 3]);
  });
});
