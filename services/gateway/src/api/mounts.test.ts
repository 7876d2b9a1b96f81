import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createLogger, createTracing } from '@bazaar/kit/telemetry';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_PATHS as CONSOLE_PAGES } from '../../../../apps/console/src/lib/routes.ts';
import { createEdgeServer, type Edge } from './edge-server.ts';
import { appRoutes, consoleRoutes, pageUrl } from './mounts.ts';

const script = 'console.log("bazaar");'.repeat(20);
let dist: string;

async function edge(storefrontDir: string, consoleDir?: string): Promise<Edge> {
  const app = createEdgeServer({
    log: createLogger('gateway', { level: 'silent' }),
    tracer: (await createTracing('gateway')).tracer,
    registry: new Registry(),
    bodyLimit: 65_536,
    trustProxy: false,
    rewriteUrl: pageUrl,
  });
  app.get('/docs', async () => 'docs');
  app.get('/healthz', async () => ({ status: 'ok' }));
  appRoutes(app, { storefrontDir });
  if (consoleDir) consoleRoutes(app, { consoleDir });
  await app.ready();
  return app;
}

beforeAll(() => {
  dist = mkdtempSync(join(tmpdir(), 'storefront-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Bazaar</title><div id="app"></div>');
  const pages = ['/', '/products/:sku', '/orders/:id', '/track/:trackingNumber', '/admin'];
  writeFileSync(join(dist, 'routes.json'), JSON.stringify({ pages }));
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), script);
  writeFileSync(join(dist, 'assets', 'index-abc123.js.gz'), gzipSync(script));
  writeFileSync(join(dist, 'assets', 'index-abc123.css'), 'body{}');
});
afterAll(() => rmSync(dist, { recursive: true, force: true }));

describe('the storefront at /', () => {
  let app: Edge;
  beforeAll(async () => {
    app = await edge(dist);
  });
  afterAll(() => app.close());

  it('answers its page at / and, to browsers, at every page path, revalidated on each load and locked down', async () => {
    const browser = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    for (const url of ['/', '/products/LAWN-001', '/orders/ord_1?placed=1', '/track/BEX1', '/admin', '/products/x.y']) {
      const res = await app.inject({ method: 'GET', url, headers: browser });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.body).toContain('<div id="app">');
    }
  });

  it('answers a path of none of its pages (routes.json) 404, with the page, which says it has nothing there', async () => {
    for (const url of ['/no-such-page', '/products', '/admin/x', '/orders/a/b']) {
      const res = await app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('<div id="app">');
    }
  });

  it('answers a browser following a link of broken percent-encoding with the page it names, others 400', async () => {
    for (const url of ['/products/%ZZ', '/orders/%E0%A4%A?placed=1', '/track/100%']) {
      const res = await app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('<div id="app">');
    }
    expect((await app.inject({ method: 'GET', url: '/no-%ZZ', headers: { accept: 'text/html' } })).statusCode).toBe(
      404,
    );
    for (const [url, accept] of [
      ['/products/%ZZ', '*/*'],
      ['/api/products/%ZZ', 'text/html'],
    ]) {
      const res = await app.inject({ method: 'GET', url, headers: { accept } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().code).toBe('BAD_REQUEST');
    }
  });

  it('serves hashed assets with their type, cached for a year, compressed when the browser takes it', async () => {
    const js = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body).toBe(script);
    const css = await app.inject({ method: 'GET', url: '/assets/index-abc123.css' });
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    const gz = await app.inject({
      method: 'GET',
      url: '/assets/index-abc123.js',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(gz.headers['content-encoding']).toBe('gzip');
  });

  it('leaves the API, the docs and the operational paths their own answers and 404 problems', async () => {
    expect((await app.inject({ method: 'GET', url: '/docs' })).body).toBe('docs');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    for (const url of [
      '/api/nope',
      '/api',
      '/docs/x',
      '/console',
      '/console/x',
      '/metrics/x',
      '/.well-known/x',
      '/internal/reservations',
      '/assets/missing.js',
      '/favicon.ico',
    ]) {
      const res = await app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/^application\/problem\+json/);
      expect(res.json().code).toBe('NOT_FOUND');
    }
  });

  it('answers an asset path that climbs out of its folder or holds a NUL 404 NOT_FOUND, never the file', async () => {
    for (const url of ['/assets/..%2f..%2fpackage.json', '/assets/..%5cindex.html', '/assets/%00x.js'])
      for (const accept of ['*/*', 'text/html']) {
        const res = await app.inject({ method: 'GET', url, headers: { accept } });
        expect(res.statusCode, url).toBe(404);
        expect(res.json().code, url).toBe('NOT_FOUND');
      }
  });

  it('keeps the 404 problem for clients that do not ask for a page', async () => {
    for (const accept of [undefined, '*/*', 'application/json']) {
      const res = await app.inject({ method: 'GET', url: '/orders/ord_1', headers: accept ? { accept } : {} });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('NOT_FOUND');
    }
  });

  it('answers only reads: other methods on page paths are 404 problems', async () => {
    const res = await app.inject({ method: 'POST', url: '/orders' });
    expect(res.statusCode).toBe(404);
  });
});

describe('the console at /console, beside the storefront', () => {
  let app: Edge;
  let consoleDist: string;
  const browser = { accept: 'text/html' };
  beforeAll(async () => {
    consoleDist = mkdtempSync(join(tmpdir(), 'console-'));
    mkdirSync(join(consoleDist, 'assets'));
    writeFileSync(join(consoleDist, 'index.html'), '<!doctype html><title>Bazaar console</title><div id="app"></div>');
    // The list the console's build writes (webApp's pageList), from the console's own routes.
    writeFileSync(join(consoleDist, 'routes.json'), JSON.stringify({ pages: CONSOLE_PAGES }));
    app = await edge(dist, consoleDist);
  });
  afterAll(async () => {
    await app.close();
    rmSync(consoleDist, { recursive: true, force: true });
  });

  it('answers each of its pages with the console, an id with a dot in it too', async () => {
    const pages = ['/console', '/console/', '/console/orders', '/console/orders/x.y', '/console/messaging'];
    for (const url of [...pages, `/console/traces/${'a'.repeat(32)}`]) {
      const res = await app.inject({ method: 'GET', url, headers: browser });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('Bazaar console');
    }
  });

  it('answers a path of none of its pages 404 with the console, which shows its not-found view', async () => {
    for (const url of ['/console/no-such-page', '/console/orders/a/b', '/console/messaging/x', '/console/services']) {
      const res = await app.inject({ method: 'GET', url, headers: browser });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body, url).toContain('Bazaar console');
    }
    for (const [url, accept] of [
      ['/console/favicon.ico', 'text/html'],
      ['/console/no-such-page', '*/*'],
    ]) {
      const res = await app.inject({ method: 'GET', url, headers: { accept } });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().code).toBe('NOT_FOUND');
    }
  });
});

describe('a storefront built without its list of pages', () => {
  it('answers every page path a browser asks for with the page, as before', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'storefront-'));
    writeFileSync(join(bare, 'index.html'), '<!doctype html><div id="app"></div>');
    const app = await edge(bare);
    const res = await app.inject({ method: 'GET', url: '/no-such-page', headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(200);
    await app.close();
    rmSync(bare, { recursive: true, force: true });
  });
});

describe('before the storefront is built', () => {
  it('says how to build it instead of failing', async () => {
    const app = await edge(join(dist, 'missing'));
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build:apps');
    expect((await app.inject({ method: 'GET', url: '/api/nope' })).statusCode).toBe(404);
    await app.close();
  });
});
