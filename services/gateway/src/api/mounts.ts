// The places where later parts of the public surface mount: the web apps and the admin operations API.
import type { Edge } from './edge-server.ts';
import { guard, type ProxyDeps } from './proxy-routes.ts';

/** appRoutes: the storefront at `/` and the operations console at `/console` (static files) mount here. */
export function appRoutes(_app: Edge): void {}

/**
 * opsRoutes: admin operations under `/api/ops` (traces, logs, outbox and saga views) mount inside this scope.
 * The whole subtree is admin-only already, paths not yet written included: they answer 404 to admins only.
 */
export function opsRoutes(app: Edge, deps: Pick<ProxyDeps, 'authenticate' | 'limiter'>): void {
  app.register(
    async (ops) => {
      ops.addHook('onRequest', guard(deps));
      ops.all('/*', { schema: { hide: true } }, async (_req, reply) => reply.callNotFound());
      ops.all('/', { schema: { hide: true } }, async (_req, reply) => reply.callNotFound());
    },
    { prefix: '/api/ops' },
  );
}
