import { describe, expect, it } from 'vitest';
import { isTraceId, matchRoute, paths } from './routes.ts';

describe('console routes', () => {
  it('map paths to pages and back', () => {
    expect(matchRoute('/console')).toEqual({ page: 'services' });
    expect(matchRoute('/console/')).toEqual({ page: 'services' });
    expect(matchRoute(paths.traces)).toEqual({ page: 'traces' });
    expect(matchRoute(paths.messaging)).toEqual({ page: 'messaging' });
    const id = 'a'.repeat(32);
    expect(matchRoute(paths.trace(id))).toEqual({ page: 'trace', traceId: id });
    expect(matchRoute('/console/nope')).toEqual({ page: 'not-found' });
    expect(matchRoute('/console/traces/%E0%A4%A')).toEqual({ page: 'not-found' });
  });

  it('recognise trace ids', () => {
    expect(isTraceId('0123456789abcdef0123456789abcdef')).toBe(true);
    expect(isTraceId('0123456789ABCDEF0123456789abcdef')).toBe(false);
    expect(isTraceId('abc')).toBe(false);
  });
});
