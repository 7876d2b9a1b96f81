import { describe, expect, it } from 'vitest';
import { pagePaths } from './page-paths.ts';

describe('pagePaths', () => {
  const isPage = pagePaths(['/', '/products', '/products/:sku', '/orders/:id', '/admin']);

  it('takes the listed paths, any one segment for a :name, decoded and without empty segments', () => {
    for (const path of ['/', '/products', '/products/', '/products/LAWN-001', '/products/x.y', '/products/%ZZ'])
      expect(isPage(path), path).toBe(true);
    expect(isPage('/orders/ord_1')).toBe(true);
    expect(isPage('//admin')).toBe(true);
    expect(isPage('/%61dmin')).toBe(true);
  });

  it('refuses every other path: unknown, too deep, or missing its :name', () => {
    for (const path of ['/no-such-page', '/products/a/b', '/orders', '/admin/x', '/favicon.ico', '/admin.html'])
      expect(isPage(path), path).toBe(false);
  });

  it('refuses everything when the app lists no page', () => {
    expect(pagePaths([])('/')).toBe(false);
  });
});
