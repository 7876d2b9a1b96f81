import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../telemetry/logger.ts';
import { SpanStore } from '../telemetry/span-store.ts';
import { createTracing } from '../telemetry/tracing.ts';
import { type App, createServer } from './create-server.ts';

const raw: string[] = [];
const log = createLogger('test', { level: 'debug', sink: { write: (l) => raw.push(l) } });
const spans = new SpanStore();
const { tracer } = await createTracing('test', spans);
const key = { 'x-internal-key': 'k' };
let apps: App[] = [];
afterEach(async () => {
  for (const app of apps) await app.close();
  apps = [];
  raw.length = 0;
});

function server(readiness?: Record<string, () => Promise<unknown>>): App {
  const app = createServer({ service: 'test', log, tracer, registry: new Registry(), internalKey: 'k', readiness });
  app.get('/api/things', async (req) => {
    req.log.info({ n: 1 }, 'thing listed');
    return { ok: true };
  });
  app.get('/api/boom', async () => {
    throw new Error('boom');
  });
  apps.push(app);
  return app;
}

/** The keys of a JSON object's text, repeats included: JSON.parse keeps only the last of a repeated key. */
function keysOf(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (depth === 1 && /^\s*:/.test(text.slice(end + 1))) keys.push(JSON.parse(text.slice(i, end + 1)));
      i = end;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return keys;
}

describe("a service's request telemetry", () => {
  it('writes service, traceId, spanId and requestId once on every line of a request, and no reqId', async () => {
    const app = server();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const headers = { ...key, 'x-request-id': 'req-42', traceparent: `00-${traceId}-00f067aa0ba902b7-01` };
    await app.inject({ url: '/api/things', headers });
    await app.inject({ url: '/api/boom', headers });
    const lines = raw.filter((l) => l.includes('req-42'));
    expect(lines.map((l) => JSON.parse(l).msg).sort()).toEqual([
      'request completed',
      'request failed',
      'thing listed',
      'unhandled error',
    ]);
    for (const line of lines) {
      const keys = keysOf(line);
      expect(
        keys.filter((k, i) => keys.indexOf(k) !== i),
        line,
      ).toEqual([]);
      expect(keys).toEqual(expect.arrayContaining(['service', 'traceId', 'spanId', 'requestId']));
      expect(keys).not.toContain('reqId');
      expect(JSON.parse(line)).toMatchObject({ service: 'test', traceId, requestId: 'req-42' });
    }
  });

  it('makes no span for health probes, readiness probes and metrics scrapes, and logs them at debug level only', async () => {
    const app = server({
      database: async () => {
        throw new Error('connection refused');
      },
    });
    const headers = { 'x-request-id': 'probe-1' };
    const probes = [
      await app.inject({ url: '/healthz', headers }),
      await app.inject({ url: '/readyz', headers }),
      await app.inject({ url: '/metrics', headers }),
    ];
    expect(probes.map((p) => p.statusCode)).toEqual([200, 503, 200]);
    // Still, every answer names a trace and echoes the request id, as API.md has it; a caller's trace is kept.
    for (const p of probes) {
      expect(p.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
      expect(p.headers['x-request-id']).toBe('probe-1');
    }
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect((await app.inject({ url: '/healthz', headers: { traceparent } })).headers['x-trace-id']).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
    const traced = await app.inject({ url: '/api/things', headers: key });
    const names = spans.recentTraces(1000).map((t) => t.root.name);
    expect(names).toContain('GET /api/things');
    expect(names.filter((n) => /healthz|readyz|metrics/.test(n))).toEqual([]);
    expect(traced.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
    const probeLines = raw.filter((l) => l.includes('probe-1')).map((l) => JSON.parse(l));
    expect(probeLines).toHaveLength(3);
    expect(probeLines.map((l) => l.level)).toEqual(['debug', 'debug', 'debug']);
  });
});
