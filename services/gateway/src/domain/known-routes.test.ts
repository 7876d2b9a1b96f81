import { describe, expect, it } from 'vitest';
import { knownRoutes } from './known-routes.ts';

describe('the known routes', () => {
  const known = knownRoutes({
    '/api/products': { get: {} },
    '/api/products/{sku}': { get: {}, parameters: [] },
    '/api/orders/{id}/cancel': { post: {} },
  });

  it('name an operation by method and path, a parameter standing for any one segment, GET covering HEAD', () => {
    expect(known.has('GET', '/api/products')).toBe(true);
    expect(known.has('HEAD', '/api/products/TEA-001')).toBe(true);
    expect(known.has('POST', '/api/orders/ord_1/cancel')).toBe(true);
    expect(known.has('GET', '/api/products/')).toBe(true); // one trailing slash, as the router ignores it
  });

  it('know no other method, path or depth', () => {
    expect(known.has('DELETE', '/api/products/TEA-001')).toBe(false);
    expect(known.has('OPTIONS', '/api/products')).toBe(false);
    expect(known.has('GET', '/api/orders/ord_1/cancel')).toBe(false);
    expect(known.has('GET', '/api/products/TEA-001/reviews')).toBe(false);
    expect(known.has('GET', '/api/nothing')).toBe(false);
  });
});
