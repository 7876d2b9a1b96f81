import { describe, expect, it } from 'vitest';
import { SERVICES, startOrder } from './services.ts';

describe('the services', () => {
  it('start after the services they call', () => {
    const order = startOrder().map((s) => s.name);
    expect(order).toHaveLength(SERVICES.length);
    for (const s of SERVICES)
      for (const callee of s.calls) expect(order.indexOf(callee)).toBeLessThan(order.indexOf(s.name));
  });

  it('each have a package of their own, which starts them', async () => {
    for (const { name } of SERVICES) expect(typeof (await import(`@bazaar/${name}`)).start, name).toBe('function');
  });
});
