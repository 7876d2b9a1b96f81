import { Registry } from 'prom-client';
import { Type } from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../telemetry/logger.ts';
import { createTracing } from '../telemetry/tracing.ts';
import { type App, createServer } from './create-server.ts';
import { AppError } from './errors.ts';

const lines: Record<string, unknown>[] = [];
const log = createLogger('test', { level: 'debug', sink: { write: (l) => lines.push(JSON.parse(l)) } });
const { tracer } = await createTracing('test');
let apps: App[] = [];
afterEach(async () => {
  for (const app of apps) await app.close();
  apps = [];
});

function server(readiness?: Record<string, () => Promise<unknown>>): App {
  const app = createServer({ service: 'test', log, tracer, registry: new Registry(), internalKey: 'k', readiness });
  app.post(
    '/api/things',
    {
      schema: {
        body: Type.Object(
          { name: Type.String(), password: Type.Optional(Type.String()) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      req.log.info({ body: req.body }, 'thing received');
      return { ok: true };
    },
  );
  app.get('/api/boom', async () => {
    throw new Error('SELECT secret FROM internal_table failed on db-7.internal');
  });
  app.get('/api/conflict', async () => {
    throw new AppError('SKU_EXISTS', 409, 'That sku exists.');
  });
  app.get('/api/busy', async () => {
    throw new AppError('RATE_LIMITED', 429, 'Come back later.', { retryAfter: 7 });
  });
  app.get('/api/admin', { config: { access: 'admin' } }, async () => ({ ok: true }));
  app.post('/api/things/:id/archive', async () => ({ archived: true }));
  app.get('/api/slow', async () => {
    await new Promise((r) => setTimeout(r, 300));
    return { finished: true };
  });
  apps.push(app);
  return app;
}

const key = { 'x-internal-key': 'k' };

describe('the service server', () => {
  it('answers problems with a stable code, the trace id and no internals', async () => {
    const app = server();
    const boom = await app.inject({ url: '/api/boom', headers: key });
    expect(boom.statusCode).toBe(500);
    expect(boom.headers['content-type']).toContain('application/problem+json');
    expect(boom.json()).toMatchObject({ status: 500, code: 'INTERNAL', traceId: boom.headers['x-trace-id'] });
    expect(boom.body).not.toMatch(/SELECT|db-7|internal_table|at .*\.ts/);
    const conflict = await app.inject({ url: '/api/conflict', headers: key });
    expect(conflict.json()).toMatchObject({
      status: 409,
      code: 'SKU_EXISTS',
      title: 'Conflict',
      detail: 'That sku exists.',
    });
    const missing = await app.inject({ url: '/api/nothing-here', headers: key });
    expect(missing.json().code).toBe('NOT_FOUND');
    expect(missing.headers['retry-after']).toBeUndefined();
  });

  it('sends Retry-After with a refusal that says when to come back, whichever route threw it', async () => {
    const busy = await server().inject({ url: '/api/busy', headers: key });
    expect(busy.statusCode).toBe(429);
    expect(busy.headers['retry-after']).toBe('7');
    expect(busy.json()).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 7 });
  });

  it('rejects unknown fields, malformed JSON and big bodies with clear codes', async () => {
    const app = server();
    const post = (payload: string, headers = {}) =>
      app.inject({
        method: 'POST',
        url: '/api/things',
        payload,
        headers: { ...key, 'content-type': 'application/json', ...headers },
      });
    expect((await post('{"name":"a","extra":1}')).json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'extra' }],
    });
    expect((await post('{"name":')).json().code).toBe('VALIDATION_FAILED');
    expect((await post('{"name":5}')).json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'name' }] });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const other = await post('name=a', { 'content-type': type });
      expect([other.statusCode, other.json().code], type).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    }
    const big = await post(JSON.stringify({ name: 'x'.repeat(70_000) }));
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a body with fields on a route that takes none, and accepts none or an empty object', async () => {
    const app = server();
    const archive = (payload?: string) =>
      app.inject({
        method: 'POST',
        url: '/api/things/t1/archive',
        payload,
        headers: payload === undefined ? key : { ...key, 'content-type': 'application/json' },
      });
    expect((await archive()).statusCode).toBe(200);
    expect((await archive('{}')).statusCode).toBe(200);
    for (const payload of ['{"reason":"x"}', '[]', '"x"']) {
      const refused = await archive(payload);
      expect([refused.statusCode, refused.json().code]).toEqual([400, 'VALIDATION_FAILED']);
    }
  });

  it('refuses requests without the internal key, and enforces route access', async () => {
    const app = server();
    expect((await app.inject({ url: '/api/conflict' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/admin', headers: key })).json().code).toBe('UNAUTHENTICATED');
    expect(
      (await app.inject({ url: '/api/admin', headers: { ...key, 'x-user-id': 'u', 'x-user-role': 'customer' } })).json()
        .code,
    ).toBe('FORBIDDEN');
    expect(
      (await app.inject({ url: '/api/admin', headers: { ...key, 'x-user-id': 'u', 'x-user-role': 'admin' } }))
        .statusCode,
    ).toBe(200);
  });

  it('echoes the request id, continues an incoming trace, and logs both without secrets', async () => {
    const app = server();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await app.inject({
      method: 'POST',
      url: '/api/things',
      payload: { name: 'n', password: 'hunter22-secret' },
      headers: { ...key, 'x-request-id': 'req-42', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(res.headers['x-request-id']).toBe('req-42');
    expect(res.headers['x-trace-id']).toBe(traceId);
    const line = lines.find((l) => l.msg === 'thing received')!;
    expect(line).toMatchObject({ service: 'test', traceId, requestId: 'req-42' });
    expect(JSON.stringify(lines)).not.toContain('hunter22-secret');
  });

  it('serves health, readiness (503 naming what fails) and metrics', async () => {
    const app = server({
      database: async () => {
        throw new Error('connection refused');
      },
    });
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().failing).toEqual({ database: 'connection refused' });
    await app.inject({ url: '/api/conflict', headers: key });
    expect((await app.inject('/metrics')).body).toContain(
      'http_server_request_duration_seconds_count{method="GET",route="/api/conflict",status="409"',
    );
  });

  it('drains in-flight requests on close', async () => {
    const app = server();
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const pending = fetch(`${address}/api/slow`, { headers: key });
    await new Promise((r) => setTimeout(r, 50));
    await app.close();
    apps = [];
    const res = await pending;
    expect(await res.json()).toEqual({ finished: true });
  });
});
