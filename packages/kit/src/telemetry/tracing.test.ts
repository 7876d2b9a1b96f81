import { createServer } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
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

  it('stops within a couple of seconds when the collector is down, with one warn line and no stack', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as { port: number };
    await new Promise((r) => closed.close(r));
    const lines: string[] = [];
    const log = createLogger('down-test', { sink: { write: (l) => lines.push(l) } });
    const tracing = await createTracing('down-test', undefined, `http://127.0.0.1:${port}`, { log });
    tracing.tracer.startSpan('checkout').end();
    const started = performance.now();
    await tracing.shutdown();
    expect(performance.now() - started).toBeLessThan(2_500);
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      { level: 'warn', service: 'down-test', msg: 'final span export failed; spans dropped' },
    ]);
    expect(lines[0]).not.toContain('stack');
  });
});
