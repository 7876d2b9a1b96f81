// The public API's map: which service answers which path, and who may call it. Pure data and matching.
import type { Access } from '@bazaar/kit/server';

export const serviceNames = ['users', 'inventory', 'orders', 'payments', 'shipping'] as const;
export type ServiceName = (typeof serviceNames)[number];

/**
 * A public path and the service that answers it. `keyedPost`: a POST to exactly this path honours Idempotency-Key
 * (API.md: placing an order), so the gateway may send it again to another replica after a broken connection.
 */
export type Route = { path: string; service: ServiceName; keyedPost?: true };

/**
 * routeTable lists the public paths, in Fastify's syntax (`/*` is the subtree below, `:name` one segment); nothing
 * else is routed. The first entry that matches wins: a path under another service's, such as a new service's
 * `/api/products/:sku/reviews`, goes before that service's `/api/products/*`.
 */
export const routeTable: readonly Route[] = [
  { path: '/api/users', service: 'users' },
  { path: '/api/users/*', service: 'users' },
  { path: '/api/auth/*', service: 'users' },
  { path: '/.well-known/jwks.json', service: 'users' },
  { path: '/api/products', service: 'inventory' },
  { path: '/api/products/*', service: 'inventory' },
  { path: '/api/inventory', service: 'inventory' },
  { path: '/api/inventory/*', service: 'inventory' },
  { path: '/api/orders', service: 'orders', keyedPost: true },
  { path: '/api/orders/*', service: 'orders' },
  { path: '/api/payments', service: 'payments' },
  { path: '/api/payments/*', service: 'payments' },
  { path: '/api/shipments', service: 'shipping' },
  { path: '/api/shipments/*', service: 'shipping' },
  { path: '/api/shipping', service: 'shipping' },
  { path: '/api/shipping/*', service: 'shipping' },
];

/** Paths whose POST honours an Idempotency-Key: the route table's `keyedPost` entries. */
export const keyedPostPaths: ReadonlySet<string> = new Set(routeTable.filter((r) => r.keyedPost).map((r) => r.path));

/**
 * apiRoutes: the public API's paths below the route table's wildcards, as the services declare them (`:name` is one
 * segment). They name a proxied request in its span (http.route) and its metrics (route): bounded, never a raw id, and
 * a stream apart from a read. A path under a wildcard that none of them matches is named by the wildcard.
 */
export const apiRoutes: readonly string[] = [
  '/api/users/me',
  '/api/users/me/orders',
  '/api/users/order-history',
  '/api/auth/login',
  '/api/products/:sku',
  '/api/inventory/:sku',
  '/api/inventory/:sku/adjustments',
  '/api/orders/:id',
  '/api/orders/:id/cancel',
  '/api/orders/:id/events',
  '/api/payments/summary',
  '/api/payments/ledger',
  '/api/payments/callbacks/:provider',
  '/api/payments/:id/attempts',
  '/api/shipments/:trackingNumber',
  '/api/shipping/rates',
];

/** Every name a proxied request's route may have: the route table's paths and the API's routes below them. */
export const proxiedRouteNames: ReadonlySet<string> = new Set([...routeTable.map((r) => r.path), ...apiRoutes]);

type RouteNode = { name?: string; literal?: Map<string, RouteNode>; param?: RouteNode };
/** Names a decoded path by the route it matches, or undefined when none does. */
export type RouteNamer = (path: string) => string | undefined;

/**
 * routeNamer compiles route patterns into a tree of segments once; the namer it answers for a prefix (a path of the
 * route table, whose requests it is given) names a path below it by the pattern it matches, one trailing slash
 * ignored, a literal segment before a parameter: a few map lookups per request, no regular expression.
 */
export function routeNamer(patterns: readonly string[] = apiRoutes): (prefix?: string) => RouteNamer {
  const root: RouteNode = {};
  for (const pattern of patterns) {
    let node = root;
    for (const segment of pattern.slice(1).split('/')) {
      if (segment.startsWith(':')) node = node.param ??= {};
      else {
        node.literal ??= new Map();
        const next = node.literal.get(segment) ?? {};
        node.literal.set(segment, next);
        node = next;
      }
    }
    node.name = pattern;
  }
  return (prefix = '') => {
    const top = prefix ? walk(root, prefix, 1) : root;
    return (path) => (top ? walk(top, path, prefix.length + 1)?.name : undefined);
  };
}

/** walk follows the path's segments from `start` down the tree; undefined where it leaves it. */
function walk(from: RouteNode, path: string, start: number): RouteNode | undefined {
  const end = path.length > 1 && path.endsWith('/') ? path.length - 1 : path.length;
  let node: RouteNode | undefined = from;
  while (node !== undefined && start <= end) {
    let stop = path.indexOf('/', start);
    if (stop === -1 || stop > end) stop = end;
    if (stop === start) return undefined; // an empty segment
    node = node.literal?.get(path.slice(start, stop)) ?? node.param;
    start = stop + 1;
  }
  return node;
}

/**
 * pathPattern: the paths a route takes, in the route table's syntax (`:name` one segment, a trailing `/*` everything
 * below), as a regular expression; one trailing slash is allowed on a route without `/*`.
 */
export function pathPattern(route: string): RegExp {
  const wildcard = route.endsWith('/*');
  const segments = (wildcard ? route.slice(0, -2) : route)
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${segments.join('/')}${wildcard ? '/.*' : '/?'}$`);
}

/** routePattern: a route table entry's pattern when it has `:name` segments; undefined for one matched by prefix. */
export const routePattern = (route: string): RegExp | undefined =>
  route.includes('/:') ? pathPattern(route) : undefined;

/**
 * countedByAddress: signing up and logging in act for nobody yet, so they spend the address's rate tokens whatever
 * token comes along; otherwise a few throwaway accounts' tokens would multiply the rate of password guessing.
 */
export const countedByAddress = (method: string, path: string): boolean =>
  method === 'POST' && (path === '/api/auth/login' || path === '/api/users');

/**
 * accessRules: who may call what, first match wins; anything else under /api needs a signed-in user. Paths are in the
 * route table's syntax (`:name` one segment, `/*` everything below); GET covers HEAD.
 */
const accessRules: readonly [method: string, path: string, access: Access][] = [
  ['POST', '/api/users', 'public'],
  ['POST', '/api/auth/login', 'public'],
  ['GET', '/.well-known/jwks.json', 'public'],
  ['GET', '/api/products', 'public'],
  ['GET', '/api/products/:sku', 'public'],
  ['GET', '/api/shipments/:trackingNumber', 'public'],
  ['GET', '/api/shipping/rates', 'public'],
  ['POST', '/api/payments/callbacks/:provider', 'public'],
  ['GET', '/api/users', 'admin'],
  ['GET', '/api/users/order-history', 'admin'],
  ['GET', '/api/payments/:id/attempts', 'admin'],
  ['*', '/api/inventory', 'admin'],
  ['*', '/api/inventory/*', 'admin'],
  ['*', '/api/ops', 'admin'],
  ['*', '/api/ops/*', 'admin'],
];

const compiled = accessRules.map(([method, path, access]) => ({ method, access, regex: pathPattern(path) }));

/** accessFor answers the access a request needs; `path` is decoded, without query string or trailing slash. */
export function accessFor(method: string, path: string): Access {
  const m = method === 'HEAD' ? 'GET' : method;
  for (const rule of compiled) {
    if ((rule.method === '*' || rule.method === m) && rule.regex.test(path)) return rule.access;
  }
  return 'customer';
}

/**
 * policyPath turns a request URL into the path the policy judges: decoded, without query or trailing slash.
 * It answers undefined for paths that could mean something else to the service (dot segments, bad escapes).
 */
export function policyPath(url: string): string | undefined {
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  if (path.includes('%')) {
    try {
      path = decodeURIComponent(path);
    } catch {
      return undefined;
    }
  }
  if (path.includes('/.') && /\/\.\.?(?:\/|$)/.test(path)) return undefined;
  while (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path;
}
