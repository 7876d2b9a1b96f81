import { describe, expect, it } from 'vitest';
import { loginPath, matchRoute, PAGE_PATHS, productPath, safeNext } from './routes.ts';

describe('routes', () => {
  it('maps paths to pages', () => {
    expect(matchRoute('/')).toEqual({ page: 'catalogue', q: '' });
    expect(matchRoute('/', '?q=lawn%20suit')).toEqual({ page: 'catalogue', q: 'lawn suit' });
    expect(matchRoute('/', `?q=${'a'.repeat(120)}`)).toEqual({ page: 'catalogue', q: 'a'.repeat(100) });
    expect(matchRoute(productPath('LAWN-001'))).toEqual({ page: 'product', sku: 'LAWN-001' });
    expect(matchRoute('/orders/')).toEqual({ page: 'orders' });
    expect(matchRoute('/orders/ord_1')).toEqual({ page: 'order', id: 'ord_1' });
    expect(matchRoute('/track/BEX123')).toEqual({ page: 'track', trackingNumber: 'BEX123' });
    expect(matchRoute('/track', '?number=BEX9')).toEqual({ page: 'track', trackingNumber: 'BEX9' });
    expect(matchRoute('/admin')).toEqual({ page: 'admin' });
    expect(matchRoute('/account')).toEqual({ page: 'profile' });
    expect(matchRoute('/account/x')).toEqual({ page: 'not-found' });
    expect(matchRoute('/nope')).toEqual({ page: 'not-found' });
    expect(matchRoute('/orders/a/b')).toEqual({ page: 'not-found' });
  });

  it('sends people back where they were after logging in, but only within the site', () => {
    expect(matchRoute('/login', `?next=${encodeURIComponent('/checkout')}`)).toEqual({
      page: 'login',
      next: '/checkout',
    });
    expect(safeNext('//evil.example')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext(null)).toBe('/');
    expect(loginPath('/checkout')).toBe('/login?next=%2Fcheckout');
    expect(loginPath('/')).toBe('/login');
  });

  it('lists every page it routes, for the gateway to answer 404 for any other path', () => {
    for (const path of PAGE_PATHS) expect(matchRoute(path.replace(/:\w+/g, 'X1')).page, path).not.toBe('not-found');
    expect(matchRoute('/products/x.y')).toEqual({ page: 'product', sku: 'x.y' });
    expect(matchRoute('/products/%ZZ')).toEqual({ page: 'product', sku: '%ZZ' });
  });
});
