import { describe, expect, it } from 'vitest';
import { serviceFor } from './route-match.ts';
import {
  accessFor,
  apiRoutes,
  keyedPostPaths,
  policyPath,
  proxiedRouteNames,
  routeNamer,
  routePattern,
  routeTable,
} from './routes.ts';

describe('the route table', () => {
  it('names the service of every public path and none for the rest', () => {
    expect(serviceFor('/api/users')).toBe('users');
    expect(serviceFor('/api/users/me/orders')).toBe('users');
    expect(serviceFor('/api/auth/login')).toBe('users');
    expect(serviceFor('/api/auth')).toBeUndefined();
    expect(serviceFor('/api/products/{sku}')).toBe('inventory');
    expect(serviceFor('/api/productsX')).toBeUndefined();
    expect(serviceFor('/api/shipments/TRK-1')).toBe('shipping');
    expect(serviceFor('/api/shipping/rates')).toBe('shipping');
    expect(serviceFor('/internal/reserve')).toBeUndefined();
  });

  it('marks as keyed only the POST that honours an Idempotency-Key (placing an order), each an exact path', () => {
    expect([...keyedPostPaths]).toEqual(['/api/orders']);
    for (const path of keyedPostPaths) expect(path).not.toMatch(/[*:]/);
  });
});

describe('a route table entry with a parameter (a path under another service’s, such as a reviews service’s)', () => {
  it('takes that path with any one segment in its place, with or without one trailing slash', () => {
    const exact = routePattern('/api/products/:sku/reviews')!;
    expect(['/api/products/TEA-001/reviews', '/api/products/TEA-001/reviews/'].map((p) => exact.test(p))).toEqual([
      true,
      true,
    ]);
    expect(
      ['/api/products/TEA-001', '/api/products//reviews', '/api/products/a/b/reviews', '/api/products/X/reviewsX'].map(
        (p) => exact.test(p),
      ),
    ).toEqual([false, false, false, false]);
  });

  it('takes the subtree below it when it ends in /*, and leaves entries without parameters to their prefix', () => {
    const below = routePattern('/api/products/:sku/reviews/*')!;
    expect(below.test('/api/products/TEA-001/reviews/rev_1')).toBe(true);
    expect(below.test('/api/products/TEA-001/reviews')).toBe(false);
    expect(routePattern('/api/products/*')).toBeUndefined();
    expect(routePattern('/api/products')).toBeUndefined();
  });
});

describe('route names', () => {
  const nameOf = routeNamer()();

  it.each([
    ['/api/orders/ord_7f3a', '/api/orders/:id'],
    ['/api/orders/ord_7f3a/events', '/api/orders/:id/events'],
    ['/api/orders/ord_7f3a/cancel/', '/api/orders/:id/cancel'],
    ['/api/users/me', '/api/users/me'],
    ['/api/users/me/orders', '/api/users/me/orders'],
    ['/api/auth/login', '/api/auth/login'],
    ['/api/products/LAWN-001', '/api/products/:sku'],
    ['/api/inventory/LAWN-001/adjustments', '/api/inventory/:sku/adjustments'],
    ['/api/payments/callbacks/jazzcash', '/api/payments/callbacks/:provider'],
    ['/api/payments/summary', '/api/payments/summary'],
    ['/api/shipments/TRK-123', '/api/shipments/:trackingNumber'],
  ])('names %s by its API route %s', (path, name) => {
    expect(nameOf(path)).toBe(name);
  });

  it.each([
    '/api/orders/ord_1/events/extra',
    '/api/orders//events',
    '/api/users/someone',
    '/api/auth/logout',
    '/api/orders',
    '/',
  ])('has no API route for %s, which its wildcard names', (path) => {
    expect(nameOf(path)).toBeUndefined();
  });

  it('names a path from below the prefix it was made for', () => {
    const orders = routeNamer()('/api/orders');
    expect(orders('/api/orders/ord_1/events')).toBe('/api/orders/:id/events');
    expect(routeNamer()('/api/nothing')('/api/nothing/1')).toBeUndefined();
  });

  it('lists every API route under a wildcard of the route table, so each is routed', () => {
    for (const route of apiRoutes) expect(serviceFor(route), route).toBeDefined();
    expect([...proxiedRouteNames]).toEqual(expect.arrayContaining(routeTable.map((r) => r.path)));
  });
});

describe('the access policy', () => {
  it.each([
    ['POST', '/api/users', 'public'],
    ['GET', '/api/users', 'admin'],
    ['PATCH', '/api/users', 'customer'],
    ['GET', '/api/users/me', 'customer'],
    ['POST', '/api/auth/login', 'public'],
    ['GET', '/.well-known/jwks.json', 'public'],
    ['HEAD', '/api/products', 'public'],
    ['GET', '/api/products/CHAI-1', 'public'],
    ['GET', '/api/products/CHAI-1/reviews', 'customer'],
    ['GET', '/api/inventory', 'admin'],
    ['DELETE', '/api/inventory/CHAI-1', 'admin'],
    ['GET', '/api/inventoryX', 'customer'],
    ['GET', '/api/shipments/TRK-1', 'public'],
    ['GET', '/api/shipping/rates', 'public'],
    ['POST', '/api/payments/callbacks/easypaisa', 'public'],
    ['GET', '/api/payments/callbacks/easypaisa', 'customer'],
    ['GET', '/api/ops', 'admin'],
    ['POST', '/api/ops/outbox/retry', 'admin'],
    ['POST', '/api/orders', 'customer'],
  ])('%s %s is %s', (method, path, access) => {
    expect(accessFor(method, path)).toBe(access);
  });

  it('judges the decoded path without query or trailing slash, and refuses dot segments', () => {
    expect(policyPath('/api/users/?limit=5')).toBe('/api/users');
    expect(policyPath('/api/inventor%79/x')).toBe('/api/inventory/x');
    expect(policyPath('/api/users/../inventory')).toBeUndefined();
    expect(policyPath('/api/orders/%2E%2E/x')).toBeUndefined();
    expect(policyPath('/api/orders/.')).toBeUndefined();
    expect(policyPath('/api/orders/%zz')).toBeUndefined();
    expect(policyPath('/api/orders/.well-known')).toBe('/api/orders/.well-known');
  });
});
