// What fuzzing through the gateway found: inputs that used to reach SQL or the router and come back as 500s or
// as non-problem answers. Each is refused at the edge of the service now, as a problem document.
import { Registry } from 'prom-client';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../telemetry/logger.ts';
import { createTracing } from '../telemetry/tracing.ts';
import { type App, createServer, nulAt } from './create-server.ts';

let app: App;
const key = { 'x-internal-key': 'k' };
let handled = 0;

beforeAll(async () => {
  app = createServer({
    service: 'test',
    log: createLogger('test', { level: 'silent' }),
    tracer: (await createTracing('test')).tracer,
    registry: new Registry(),
    internalKey: 'k',
  });
  app.get(
    '/api/things/:id',
    { schema: { params: Type.Object({ id: Type.String({ maxLength: 100 }) }) } },
    async (req) => {
      handled++;
      return { id: req.params.id };
    },
  );
  app.post(
    '/api/things',
    { schema: { body: Type.Object({ name: Type.String() }, { additionalProperties: true }) } },
    async () => {
      handled++;
      return { ok: true };
    },
  );
  app.post('/api/things/:id/touch', async () => {
    handled++;
    return { touched: true };
  });
  await app.ready();
});
afterAll(() => app.close());

const problem = (res: { statusCode: number; headers: Record<string, unknown>; json(): any }) => ({
  status: res.statusCode,
  type: String(res.headers['content-type']).split(';')[0],
  code: res.json().code,
});

describe('the service server refuses, as problems', () => {
  it('a NUL character anywhere in params, query or body (PostgreSQL text cannot hold one): 400, the handler never runs', async () => {
    const before = handled;
    const answers = [
      await app.inject({ url: '/api/things/a%00b', headers: key }),
      await app.inject({ url: '/api/things/a?q=%00', headers: key }),
      await app.inject({
        method: 'POST',
        url: '/api/things',
        headers: { ...key, 'content-type': 'application/json' },
        payload: JSON.stringify({ name: 'x', deep: [{ a: ['ok', 'b\u0000'] }] }),
      }),
      await app.inject({
        method: 'POST',
        url: '/api/things',
        headers: { ...key, 'content-type': 'application/json' },
        payload: JSON.stringify({ name: 'x', 'k\u0000': 1 }),
      }),
    ];
    for (const res of answers)
      expect(problem(res)).toEqual({ status: 400, type: 'application/problem+json', code: 'VALIDATION_FAILED' });
    expect(answers[2].json().errors).toEqual([{ path: 'deep.0.a.1', message: expect.stringContaining('NUL') }]);
    expect(handled).toBe(before);
    expect((await app.inject({ url: '/api/things/fine?q=also%20fine', headers: key })).statusCode).toBe(200);
  });

  it('a JSON body that is not UTF-8 (JSON is UTF-8): 400 as invalid JSON, not stored with U+FFFD in its place', async () => {
    const before = handled;
    const headers = { ...key, 'content-type': 'application/json' };
    const bytes = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const res = await app.inject({ method: 'POST', url: '/api/things', headers, payload: bytes });
    expect(problem(res)).toEqual({ status: 400, type: 'application/problem+json', code: 'VALIDATION_FAILED' });
    expect(res.json().errors).toEqual([{ path: '(body)', message: 'is not valid JSON' }]);
    expect(handled).toBe(before);
    const urdu = await app.inject({ method: 'POST', url: '/api/things', headers, payload: '{"name":"کراچی"}' });
    expect(urdu.statusCode).toBe(200);
  });

  it('a JSON body with a __proto__ or constructor.prototype key: 400 that says so, and nothing handled', async () => {
    const before = handled;
    const headers = { ...key, 'content-type': 'application/json' };
    for (const payload of ['{"name":"x","__proto__":{"admin":true}}', '{"name":"x","constructor":{"prototype":{}}}']) {
      const res = await app.inject({ method: 'POST', url: '/api/things', headers, payload });
      expect(problem(res)).toEqual({ status: 400, type: 'application/problem+json', code: 'VALIDATION_FAILED' });
      expect(res.json().errors).toEqual([{ path: '(body)', message: 'has a __proto__ or constructor.prototype key' }]);
    }
    expect(handled).toBe(before);
  });

  it('a malformed percent-encoding or an over-long path segment, with the request id', async () => {
    const bad = await app.inject({ url: '/api/things/%E0%A4%A', headers: { ...key, 'x-request-id': 'req-1' } });
    expect(problem(bad)).toEqual({ status: 400, type: 'application/problem+json', code: 'BAD_REQUEST' });
    expect(bad.headers['x-request-id']).toBe('req-1');
    expect(bad.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(bad.json()).toMatchObject({ traceId: bad.headers['x-trace-id'], errors: [{ path: '(url)' }] });
    // Up to 500 characters the schema judges (here maxLength 100); beyond, the router refuses.
    expect(problem(await app.inject({ url: `/api/things/${'a'.repeat(150)}`, headers: key }))).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(problem(await app.inject({ url: `/api/things/${'a'.repeat(600)}`, headers: key }))).toEqual({
      status: 414,
      type: 'application/problem+json',
      code: 'URI_TOO_LONG',
    });
  });

  it('a request without the internal key before its body is even parsed', async () => {
    for (const payload of ['{"name":', '{"name":"x"}', 'not json at all']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/things',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(problem(res)).toEqual({ status: 401, type: 'application/problem+json', code: 'UNAUTHENTICATED' });
    }
    expect((await app.inject({ url: '/api/nowhere' })).statusCode).toBe(401);
  });

  it('nulAt walks any depth without recursion and names the path', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(nulAt(deep, '')).toBe(Array.from({ length: 100_000 }, () => '0').join('.'));
    expect(nulAt({ a: { b: 'fine' }, c: 1, d: null }, 'querystring')).toBeUndefined();
    expect(nulAt({ a: { b: 'no\u0000' } }, 'params')).toBe('params.a.b');
  });

  it('an empty JSON body is no body: a route that takes none answers, one that needs a body says it is missing', async () => {
    const json = { ...key, 'content-type': 'application/json' };
    const none = await app.inject({ method: 'POST', url: '/api/things/1/touch', headers: json, payload: '' });
    expect(none.statusCode).toBe(200);
    expect(none.json()).toEqual({ touched: true });
    const before = handled;
    const missing = await app.inject({ method: 'POST', url: '/api/things', headers: json, payload: '' });
    expect(problem(missing)).toEqual({ status: 400, type: 'application/problem+json', code: 'VALIDATION_FAILED' });
    const broken = await app.inject({ method: 'POST', url: '/api/things', headers: json, payload: '{"name":' });
    expect(problem(broken)).toEqual({ status: 400, type: 'application/problem+json', code: 'VALIDATION_FAILED' });
    const poisoned = '{"name":"x","__proto__":{"admin":true}}';
    const refused = await app.inject({ method: 'POST', url: '/api/things', headers: json, payload: poisoned });
    expect(refused.statusCode).toBe(400);
    expect(handled).toBe(before);
  });
});
