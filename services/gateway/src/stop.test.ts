import { describe, expect, it } from 'vitest';
import { start } from './main.ts';
import { closedPort } from './test-support.ts';

describe('stopping the gateway', () => {
  it('takes a couple of seconds at most with the collector down, never throws, and writes its last line', async () => {
    const lines: string[] = [];
    const down = await closedPort();
    const gateway = await start(
      { internalKey: 'k', logLevel: 'info', logSink: { write: (l) => lines.push(l) }, otlpEndpoint: down },
      {
        port: 0,
        usersUrl: down,
        inventoryUrl: down,
        ordersUrl: down,
        paymentsUrl: down,
        shippingUrl: down,
        rateLimitRps: 0,
      },
    );
    await fetch(`${gateway.url}/api/products`); // a span to export
    const started = performance.now();
    await gateway.stop();
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(lines.map((l) => JSON.parse(l).msg)).toContain('gateway stopped');
  });
});
