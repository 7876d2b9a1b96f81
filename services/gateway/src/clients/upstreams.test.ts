import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type Upstream, upstream } from './upstreams.ts';

// Pools connect lazily: these replicas are never dialled, only chosen.
const urls = 'http://127.0.0.1:1,http://127.0.0.1:2,http://127.0.0.1:3';
const opened: Upstream[] = [];
const pool = (options: Partial<Parameters<typeof upstream>[2]> = {}) => {
  const up = upstream('orders', urls, { connections: 1, ...options });
  opened.push(up);
  return up;
};
const ports = (picks: (ReturnType<Upstream['pick']> | undefined)[]) => picks.map((r) => r && new URL(r.url).port);
const picks = (up: Upstream, n: number) => ports(Array.from({ length: n }, () => up.pick()));

afterEach(async () => {
  await Promise.all(opened.splice(0).map((u) => u.close()));
});

describe('choosing a replica', () => {
  it('takes the replicas in turn while they are equally busy', () => {
    expect(picks(pool(), 6)).toEqual(['1', '2', '3', '1', '2', '3']);
  });

  it('prefers the replica with the fewest requests in flight', () => {
    const up = pool();
    up.replicas[0].pending = 3;
    up.replicas[1].pending = 1;
    up.replicas[2].pending = 2;
    expect(picks(up, 2)).toEqual(['2', '2']);
  });

  it('ignores how busy they are under round-robin', () => {
    const up = pool({ balance: 'round-robin' });
    up.replicas[0].pending = 9;
    expect(picks(up, 4)).toEqual(['1', '2', '3', '1']);
  });

  it('skips an ejected replica, and the ones already tried, until none is left', () => {
    const up = pool();
    up.down(up.replicas[1], 'test');
    expect(picks(up, 4)).toEqual(['1', '3', '1', '3']);
    expect(ports([up.pick([up.replicas[0]])])).toEqual(['3']);
    // No healthy replica left untried: the ejected one is still worth a try before giving up.
    expect(ports([up.pick([up.replicas[0], up.replicas[2]])])).toEqual(['2']);
    expect(up.pick(up.replicas)).toBeUndefined();
  });

  it('reports each replica by its position, never its URL, as healthy or ejected in gateway_upstream_healthy', async () => {
    const registry = new Registry();
    const up = pool({ registry });
    up.down(up.replicas[2], 'test');
    const text = await registry.metrics();
    expect(text).toContain('gateway_upstream_healthy{service="orders",replica="0"} 1');
    expect(text).toContain('gateway_upstream_healthy{service="orders",replica="2"} 0');
    expect(text).not.toContain('127.0.0.1');
  });

  it('ejects replicas whose health check fails', async () => {
    const up = pool({ healthIntervalMs: 20, healthTimeoutMs: 20 });
    await new Promise((r) => setTimeout(r, 200));
    expect(up.replicas.map((r) => r.healthy)).toEqual([false, false, false]);
  });
});
