import { describe, expect, it } from 'vitest';
import { isOrderId, isTraceId, matchRoute, paths } from './routes.ts';

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
