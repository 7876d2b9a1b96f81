// The public API: each routed path goes to its service once the caller's identity, rate and access check out.
import { AppError, forbidden, notFound, unauthenticated, unavailable } from '@bazaar/kit/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Upstream } from '../clients/upstreams.ts';
import type { RateLimiter } from '../domain/rate-limit.ts';
import { accessFor, policyPath, routeTable, type ServiceName } from '../domain/routes.ts';
import type { Authenticate } from '../use-cases/authenticate.ts';
import type { Forward } from '../use-cases/forward-request.ts';
import { type Edge, sendProblem } from './edge-server.ts';

export type ProxyDeps = {
  upstreams: Record<ServiceName, Upstream>;
  authenticate: Authenticate;
  /** null when RATE_LIMIT_RPS is 0. */
  limiter: RateLimiter | null;
  forward: Forward;
  bodyLimit: number;
};

export function proxyRoutes(app: Edge, deps: ProxyDeps): void {
  app.register(async (scope) => {
    // Bodies pass through as bytes, whatever their type: counted against the limit, never parsed.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.bodyLimit }, (_req, body, done) =>
      done(null, body),
    );
    scope.addHook('onRequest', guard(deps));
    for (const { path, service } of routeTable) {
      const upstream = deps.upstreams[service];
      scope.all(path, { schema: { hide: true } }, (req, reply) => deps.forward(req, reply, upstream));
    }
  });
}

/**
 * guard runs before the body is read: it names the caller (an invalid token counts as none), spends one of the
 * caller's rate tokens, and enforces the route's access. The caller it names is what the service will hear.
 */
export function guard(deps: Pick<ProxyDeps, 'authenticate' | 'limiter'>) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const path = policyPath(req.url);
    if (path === undefined)
      return sendProblem(req, reply, notFound(`No route for ${req.method} ${req.url.split('?')[0]}.`));
    const access = accessFor(req.method, path);
    const identity = await deps.authenticate(req.headers.authorization);
    const caller = identity.caller;
    if (deps.limiter) {
      const decision = await deps.limiter.take(caller ? `user:${caller.id}` : `ip:${req.ip}`);
      if (!decision.allowed) return sendProblem(req, reply, rateLimited(decision.retryAfter));
    }
    if (access !== 'public') {
      if (!caller)
        return sendProblem(
          req,
          reply,
          identity.failure === 'unavailable'
            ? unavailable('Access tokens cannot be checked right now. Try again shortly.')
            : unauthenticated(),
        );
      if (access === 'admin' && caller.role !== 'admin') return sendProblem(req, reply, forbidden());
    }
    req.caller = caller;
  };
}

const rateLimited = (retryAfter: number) =>
  new AppError('RATE_LIMITED', 429, `Too many requests. Try again in ${retryAfter} s.`, { retryAfter });
