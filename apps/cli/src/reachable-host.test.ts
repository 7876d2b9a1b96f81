import { describe, expect, it } from 'vitest';
import { reachableHost } from './reachable-host.ts';

describe('reachableHost, the host a banner or a probe puts in a URL', () => {
  it.each([
    ['0.0.0.0', '127.0.0.1'],
    ['::', '127.0.0.1'],
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '[::1]'],
    ['[::1]', '[::1]'],
    ['shop.internal', 'shop.internal'],
  ])('a server listening on %j is reached at %j', (host, reached) => {
    expect(reachableHost(host)).toBe(reached);
    expect(() => new URL(`http://${reachableHost(host)}:8080/`)).not.toThrow();
  });
});
