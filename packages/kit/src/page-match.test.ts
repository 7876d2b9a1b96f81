import { describe, expect, it } from 'vitest';
import { matchPage } from './page-match.ts';

describe('matchPage', () => {
  const pages = ['/', '/products', '/products/:sku', '/orders/:id', '/admin'].map((p) => [p, p] as const);
  const pageOf = (path: string, strict = false) => matchPage(pages, path, { strict })?.value;

  it('takes the listed paths, any one segment for a :name, decoded and without empty segments', () => {
    for (const path of ['/products', '/products/', '//products']) expect(pageOf(path), path).toBe('/products');
    for (const path of ['/products/LAWN-001', '/products/x.y', '/products/%ZZ'])
      expect(pageOf(path), path).toBe('/products/:sku');
    expect(pageOf('/')).toBe('/');
    expect(pageOf('/%61dmin')).toBe('/admin');
  });

  it("gives each :name its segment's decoded value, or the segment as sent when its encoding is broken", () => {
    expect(matchPage(pages, '/orders/ord%5F1')?.params).toEqual({ id: 'ord_1' });
    expect(matchPage(pages, '/products/%ZZ')?.params).toEqual({ sku: '%ZZ' });
  });

  it('with strict, a segment with broken encoding fits no page', () => {
    expect(pageOf('/products/%ZZ', true)).toBeUndefined();
    expect(pageOf('/products/%E0%A4%A', true)).toBeUndefined();
    expect(pageOf('/products/LAWN-001', true)).toBe('/products/:sku');
  });

  it('refuses every other path: unknown, too deep, or missing its :name', () => {
    for (const path of ['/no-such-page', '/products/a/b', '/orders', '/admin/x', '/favicon.ico', '/admin.html'])
      expect(pageOf(path), path).toBeUndefined();
  });

  it('takes the first page that fits, and none from an empty list', () => {
    expect(
      matchPage(
        [
          ['/a/:x', 1],
          ['/a/b', 2],
        ],
        '/a/b',
      )?.value,
    ).toBe(1);
    expect(matchPage([], '/')).toBeUndefined();
  });
});
