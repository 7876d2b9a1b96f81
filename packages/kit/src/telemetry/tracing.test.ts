import { createServer } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { SpanStore } from './span-store.ts';
import { createTracing } from './tracing.ts';

const received: { path: string; body: string }[] = [];
const collector = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    received.push({ path: req.url ?? '', body });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
const endpoint = `http://127.0.0.1:${(collector.address() as { port: number }).port}`;
afterAll(() => new Promise((r) => collector.close(r)));

describe('tracing', () => {
  it('keeps spans for the console and exports them over OTLP/HTTP when an endpoint is set', async () => {
    const store = new SpanStore();
    const tracing = await createTracing('otlp-test', store, endpoint);
    const span = tracing.tracer.startSpan('checkout');
    const { traceId } = span.spanContext();
    span.end();
    await tracing.shutdown(); // flushes the batch
    expect(store.trace(traceId).map((s) => s.name)).toEqual(['checkout']);
    expect(received.map((r) => r.path)).toContain('/v1/traces');
    const exported = received.find((r) => r.path === '/v1/traces')!.body;
    expect(exported).toContain('otlp-test');
    expect(exported).toContain('checkout');
  });
});
