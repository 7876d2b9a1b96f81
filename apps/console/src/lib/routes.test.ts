import { describe, expect, it } from 'vitest';
import { BASE, isOrderId, isTraceId, matchRoute, PAGE_PATHS, paths } from './routes.ts';

describe('console routes', () => {
  it('map paths to pages and back', () => {
    expect(matchRoute('/console')).toEqual({ page: 'services' });
    expect(matchRoute('/console/')).toEqual({ page: 'services' });
    expect(matchRoute(paths.traces)).toEqual({ page: 'traces' });
    expect(matchRoute(paths.messaging)).toEqual({ page: 'messaging' });
    const id = 'a'.repeat(32);
    expect(matchRoute(paths.trace(id))).toEqual({ page: 'trace', traceId: id });
    expect(matchRoute(paths.orders)).toEqual({ page: 'orders' });
    expect(matchRoute(`${paths.orders}/`)).toEqual({ page: 'orders' });
    expect(matchRoute(paths.order('ord_1 2/3'))).toEqual({ page: 'order', orderId: 'ord_1 2/3' });
    expect(matchRoute(paths.catalogue)).toEqual({ page: 'catalogue' });
    expect(matchRoute(`${paths.catalogue}/`)).toEqual({ page: 'catalogue' });
    expect(matchRoute('/console/orders/ord_1/more')).toEqual({ page: 'not-found' });
    expect(matchRoute('/console/orders/%E0%A4%A')).toEqual({ page: 'not-found' });
    expect(matchRoute('/console/nope')).toEqual({ page: 'not-found' });
    expect(matchRoute('/console/traces/%E0%A4%A')).toEqual({ page: 'not-found' });
  });

  it('list every page they route, by its whole path, for the gateway to answer 404 for any other path', () => {
    for (const path of PAGE_PATHS) {
      expect(path === BASE || path.startsWith(`${BASE}/`), path).toBe(true);
      expect(matchRoute(path.replace(/:\w+/g, 'X1')).page, path).not.toBe('not-found');
    }
    const built = [paths.services, paths.traces, paths.trace('t'), paths.messaging, paths.orders, paths.order('o')];
    for (const path of [...built, paths.catalogue]) expect(matchRoute(path).page, path).not.toBe('not-found');
    expect(matchRoute('/console/orders/x.y')).toEqual({ page: 'order', orderId: 'x.y' });
  });

  it('read a path as the gateway reads their list (empty segments dropped, each decoded): a page it answers is shown', () => {
    expect(matchRoute('/console//orders')).toEqual({ page: 'orders' });
    expect(matchRoute('/console/%6Frders/ord_1')).toEqual({ page: 'order', orderId: 'ord_1' });
    expect(matchRoute('/console/orders//ord_1/')).toEqual({ page: 'order', orderId: 'ord_1' });
  });

  it('recognise trace ids', () => {
    expect(isTraceId('0123456789abcdef0123456789abcdef')).toBe(true);
    expect(isTraceId('0123456789ABCDEF0123456789abcdef')).toBe(false);
    expect(isTraceId('abc')).toBe(false);
  });

  it('recognise order ids', () => {
    expect(isOrderId('ord_01JH7K2M3N')).toBe(true);
    expect(isOrderId(' ord_1')).toBe(false);
    expect(isOrderId('order-1')).toBe(false);
  });
});
