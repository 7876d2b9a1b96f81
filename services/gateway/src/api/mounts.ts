// The places where later parts of the public surface mount: the web apps and the admin operations API.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { matchPage } from '@bazaar/kit/page-match';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Edge } from './edge-server.ts';
import { type GuardDeps, guard } from './guard.ts';
import { type OpsApiDeps, opsApi } from './ops/routes.ts';

/** Where `npm run build:apps` (run by `npm install`) puts the storefront. */
export const STOREFRONT_DIST = join(import.meta.dirname, '../../../../apps/storefront/dist');

/** Paths that belong to the gateway or the API: the storefront never answers for them, so their 404s stay problems. */
const NOT_STOREFRONT = /^\/(?:api|internal|docs|openapi\.json|console|healthz|readyz|metrics|\.well-known)(?:\/|$)/;

/** A browser navigating asks for HTML; API clients (curl, fetch, SDKs) do not, and keep the gateway's 404 problem. */
const wantsPage = (req: { headers: IncomingHttpHeaders }) => (req.headers.accept ?? '').includes('text/html');

/** Paths that are never pages: the API and the services' internals keep their 400 for a malformed URL. */
const NEVER_PAGES = /^\/(?:api|internal)(?:\/|$)/;

/**
 * pageUrl is the URL Fastify routes (its rewriteUrl). A browser following a link with a stray `%` (/products/%ZZ) is
 * routed as if each `%` were escaped: it gets the page, which says there is no such product, where an API client
 * gets the 400 problem. The browser's address is not changed.
 */
export function pageUrl(req: IncomingMessage): string {
  const url = req.url ?? '/';
  if (req.method !== 'GET' || !wantsPage(req) || NEVER_PAGES.test(url)) return url;
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  try {
    decodeURI(path);
    return url;
  } catch {
    return path.replaceAll('%', '%25') + url.slice(path.length);
  }
}

/** The page paths an app's build listed in dist/routes.json; undefined for a build without one (every path a page). */
function readPages(dist: string): ((path: string) => boolean) | undefined {
  try {
    const { pages } = JSON.parse(readFileSync(join(dist, 'routes.json'), 'utf8')) as { pages?: unknown };
    if (!Array.isArray(pages) || !pages.every((p) => typeof p === 'string')) return undefined;
    const listed = pages.map((page) => [page, page] as const);
    return (path) => matchPage(listed, path) !== undefined;
  } catch {
    return undefined;
  }
}

/** The gateway's pages (storefront, console, /docs) only talk to this origin; nothing inline runs, nothing frames them. */
export const PAGE_HEADERS = {
  'cache-control': 'no-cache',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bazaar: storefront not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<h1>The storefront is not built</h1><p>Run <code>npm run build:apps</code> (or <code>npm install</code>, which runs it) and reload.
The API is up: see <a href="/docs">/docs</a>.</p></body></html>`;

/**
 * appRoutes: the storefront at `/` and the operations console at `/console` (static files) mount here.
 * The storefront routes in the browser (History API), so a browser asking for any page path gets its index.html, with
 * 404 for a path of none of its pages (the page then says so); its hashed assets under `/assets/` are cached for a
 * year, the page itself is revalidated on every load.
 */
export function appRoutes(app: Edge, options: { storefrontDir?: string } = {}): void {
  browserApp(app, {
    dist: options.storefrontDir ?? STOREFRONT_DIST,
    base: '',
    notBuilt: NOT_BUILT,
    notOurs: NOT_STOREFRONT,
  });
}

/** Where `npm run build:apps` puts the operations console (built with base `/console/`). */
export const CONSOLE_DIST = join(import.meta.dirname, '../../../../apps/console/dist');

const CONSOLE_NOT_BUILT = NOT_BUILT.replaceAll('storefront', 'operations console');

/**
 * consoleRoutes: the operations console at `/console`, beside the storefront. Its page is static and public (the
 * data behind it is admin-only, under /api/ops); hashed assets under `/console/assets/` are cached for a year, and a
 * browser asking for a `/console/...` page path gets the index.html (the console routes in the browser), with 404 for
 * a path of none of the pages its build listed (routes.json: whole paths, `/console` included).
 */
export function consoleRoutes(app: Edge, options: { consoleDir?: string } = {}): void {
  browserApp(app, { dist: options.consoleDir ?? CONSOLE_DIST, base: '/console', notBuilt: CONSOLE_NOT_BUILT });
}

type BrowserApp = {
  /** The built app: index.html and assets/. */
  dist: string;
  /** Where it is served: '' for the root. */
  base: string;
  /** The page answered (503) while the app is not built. */
  notBuilt: string;
  /** Paths below the base that belong to someone else. */
  notOurs?: RegExp;
};

/**
 * browserApp serves a single-page app: its hashed assets, and its index.html for any page path a browser asks for;
 * when its build listed its pages (routes.json), a path of none of them is answered the same page with 404.
 */
function browserApp(app: Edge, { dist, base, notBuilt, notOurs }: BrowserApp): void {
  app.register(async (scope) => {
    const indexFile = join(dist, 'index.html');
    const built = existsSync(indexFile);
    const isPage = readPages(dist);
    if (built)
      await scope.register(fastifyStatic, {
        root: join(dist, 'assets'),
        prefix: `${base}/assets/`,
        decorateReply: false,
        index: false,
        maxAge: '365d',
        immutable: true,
        preCompressed: true,
        dotfiles: 'deny',
      });
    const home = base || '/';
    const page = async (req: FastifyRequest, reply: FastifyReply) => {
      const path = req.url.split('?')[0];
      const known = isPage?.(path);
      // A missing file (an extension, on no page's path), someone else's path or a non-browser client: the 404 problem.
      if (notOurs?.test(path) || (!known && /\.[^/]*$/.test(path)) || (path !== home && !wantsPage(req)))
        return reply.callNotFound();
      reply.headers(PAGE_HEADERS).header('vary', 'accept').type('text/html; charset=utf-8');
      if (!built) return reply.code(503).send(notBuilt);
      return reply.code(known === false ? 404 : 200).send(await readFile(indexFile));
    };
    scope.get(home, { schema: { hide: true } }, page);
    scope.get(`${base}/*`, { schema: { hide: true } }, page);
  });
}

/**
 * opsRoutes: admin operations under `/api/ops` (services, traces, logs, messaging, dead-letter replay: ops/routes.ts).
 * The whole subtree is admin-only, paths not written included: they answer 404 to admins only.
 */
export function opsRoutes(app: Edge, deps: GuardDeps & OpsApiDeps): void {
  app.register(
    async (ops) => {
      ops.addHook('onRequest', guard(deps));
      opsApi(ops, deps);
      ops.all('/*', { schema: { hide: true } }, async (_req, reply) => reply.callNotFound());
      ops.all('/', { schema: { hide: true } }, async (_req, reply) => reply.callNotFound());
    },
    { prefix: '/api/ops' },
  );
}
