import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cors, parseOrigins } from './cors.ts';
import type { Edge } from './edge-server.ts';

const SHOP = 'https://shop.example.pk';
let app: Edge;

beforeAll(async () => {
  app = Fastify() as unknown as Edge;
  cors(app, parseOrigins(` ${SHOP}/ , http://localhost:5173,*,`));
  app.addHook('onRequest', async (req, reply) => {
    // Stands in for the proxy's guard: a protected route without a token.
    if (req.url.startsWith('/api/orders') && !req.headers.authorization) return reply.code(401).send({ code: 'X' });
  });
  app.get('/api/products', async () => ({ items: [] }));
  app.post('/api/orders', async () => ({ ok: true }));
  // Like the forwarder: the answer is written on the raw response, past Fastify's reply headers.
  app.get('/api/proxied', (_req, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'application/json' });
    reply.raw.end('{}');
  });
  await app.ready();
});
afterAll(() => app.close());

const preflight = (origin: string, path = '/api/orders') =>
  app.inject({
    method: 'OPTIONS',
    url: path,
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
  });

describe('CORS', () => {
  it('reads CORS_ORIGINS as exact origins, ignoring blanks, trailing slashes, case and a wildcard', () => {
    expect([...parseOrigins(' https://Shop.example.pk/ ,http://localhost:5173,*,null,')]).toEqual([
      SHOP,
      'http://localhost:5173',
    ]);
    expect(parseOrigins('').size).toBe(0);
  });

  it('answers a preflight from a configured origin with 204 and the allowed methods and headers, before any token check', async () => {
    const res = await preflight(SHOP);
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(SHOP);
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(res.headers['access-control-allow-headers']).toContain('authorization');
    expect(res.headers['access-control-allow-headers']).toContain('idempotency-key');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers.vary).toContain('origin');
  });

  it('refuses a preflight from any other origin with 403 ORIGIN_NOT_ALLOWED and no CORS headers', async () => {
    for (const origin of ['https://evil.example', 'null', `${SHOP}.evil.example`, 'http://shop.example.pk']) {
      const res = await preflight(origin);
      expect(res.statusCode, origin).toBe(403);
      expect(res.json().code).toBe('ORIGIN_NOT_ALLOWED');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it("marks a configured origin's answers readable, proxied ones included, and exposes the id headers", async () => {
    for (const url of ['/api/products', '/api/proxied']) {
      const res = await app.inject({ method: 'GET', url, headers: { origin: SHOP } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin'], url).toBe(SHOP);
      expect(res.headers['access-control-expose-headers']).toContain('x-request-id');
      expect(res.headers.vary).toContain('origin');
    }
  });

  it('sends no CORS headers to other origins, nor without an Origin, and never refuses the request itself', async () => {
    const other = await app.inject({ method: 'GET', url: '/api/proxied', headers: { origin: 'https://evil.example' } });
    expect(other.statusCode).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const none = await app.inject({ method: 'GET', url: '/api/products' });
    expect(none.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('with no origins configured (the default), every preflight is refused: same-origin only', async () => {
    const strict = Fastify() as unknown as Edge;
    cors(strict, parseOrigins(''));
    strict.get('/api/products', async () => ({}));
    const res = await strict.inject({
      method: 'OPTIONS',
      url: '/api/products',
      headers: { origin: SHOP, 'access-control-request-method': 'GET' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    await strict.close();
  });
});
