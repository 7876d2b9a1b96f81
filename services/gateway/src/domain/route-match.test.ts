// How a request's service is found from the route table, with a table of the test's own: an entry with a
// parameter takes paths under another service's subtree when it comes first, as a new reviews service's would.
import { describe, expect, it } from 'vitest';
import { matchRoute, mountsOf } from './route-match.ts';

const mounts = mountsOf({ inventory: 'inventory', reviews: 'reviews' }, [
  { path: '/api/products/:sku/reviews', service: 'reviews' },
  { path: '/api/products/:sku/reviews/*', service: 'reviews' },
  { path: '/api/products', service: 'inventory' },
  { path: '/api/products/*', service: 'inventory' },
]);
const serviceOf = (path: string) => matchRoute(mounts, path)?.target;

describe('the proxy with a route table entry that has a parameter', () => {
  it("sends a path under another service's to the service of the first entry that matches it", () => {
    expect(serviceOf('/api/products/TEA-001/reviews')).toBe('reviews');
    expect(serviceOf('/api/products/TEA-001/reviews/')).toBe('reviews');
    expect(serviceOf('/api/products/TEA-001/reviews/rev_1')).toBe('reviews');
    expect(matchRoute(mounts, '/api/products/TEA-001/reviews')?.route).toBe('/api/products/:sku/reviews');
  });

  it('leaves the rest of that subtree to its own service', () => {
    expect(serviceOf('/api/products')).toBe('inventory');
    expect(serviceOf('/api/products/TEA-001')).toBe('inventory');
    expect(serviceOf('/api/products/TEA-001/reviewsX')).toBe('inventory');
    expect(serviceOf('/api/other')).toBeUndefined();
  });
});
