// The guard of every routed path: the caller's identity, one of their rate tokens, and the route's access.
import { AppError, type Caller, forbidden, notFound, unauthenticated, unavailable } from '@bazaar/kit/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KnownRoutes } from '../domain/known-routes.ts';
import type { RateLimiter } from '../domain/rate-limit.ts';
import { serviceFor } from '../domain/route-match.ts';
import { accessFor, countedByAddress, policyPath } from '../domain/routes.ts';
import type { Authenticate, Identity } from '../use-cases/authenticate.ts';
import { sendProblem } from './edge-server.ts';

export type GuardDeps = {
  authenticate: Authenticate;
  /** null when RATE_LIMIT_RPS is 0. */
  limiter: RateLimiter | null;
  /** The services' operations, once every service has published them (undefined until then, or when unknown). */
  known?: () => KnownRoutes | undefined;
};

/** Admission: the caller the service will hear (null: anonymous on a public route), or the problem to answer. */
export type Admission = { caller: Caller | null } | AppError;

/**
 * admit runs before the body is read: it names the caller (an invalid token counts as none), spends one of the
 * caller's rate tokens, and enforces the route's access. It answers at once when the token is known and the
 * limiter is in memory, so the hot path makes no promise.
 */
export function admit(
  deps: GuardDeps,
  method: string,
  url: string,
  authorization: string | undefined,
  ip: string,
): Admission | Promise<Admission> {
  const path = policyPath(url);
  if (path === undefined) return notFound(`No route for ${method} ${url.split('?')[0]}.`);
  const identity = deps.authenticate(authorization);
  return identity instanceof Promise
    ? identity.then((known) => spend(deps, method, path, known, ip))
    : spend(deps, method, path, identity, ip);
}

function spend(
  deps: GuardDeps,
  method: string,
  path: string,
  identity: Identity,
  ip: string,
): Admission | Promise<Admission> {
  if (!deps.limiter) return judge(deps, method, path, identity);
  const user = countedByAddress(method, path) ? null : identity.caller;
  const decision = deps.limiter.take(user ? `user:${user.id}` : `ip:${ip}`);
  const decide = (d: Awaited<typeof decision>) =>
    d.allowed ? judge(deps, method, path, identity) : rateLimited(d.retryAfter);
  return decision instanceof Promise ? decision.then(decide) : decide(decision);
}

function judge(deps: GuardDeps, method: string, path: string, identity: Identity): Admission {
  const access = accessFor(method, path);
  const caller = identity.caller;
  if (access === 'public') return { caller };
  if (!caller) {
    // A route no service has is not found, whoever asks: a token would change nothing.
    if (serviceFor(path) && deps.known?.()?.has(method, path) === false)
      return notFound(`No route for ${method} ${path}.`);
    return identity.failure === 'unavailable'
      ? unavailable('Access tokens cannot be checked right now. Try again shortly.')
      : unauthenticated();
  }
  if (access === 'admin' && caller.role !== 'admin') return forbidden();
  return { caller };
}

/** guard is admit as a Fastify onRequest hook, for the routes Fastify serves (the operations API). */
export function guard(deps: GuardDeps) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const admission = await admit(deps, req.method, req.url, req.headers.authorization, req.ip);
    if (admission instanceof AppError) return sendProblem(req, reply, admission);
    req.caller = admission.caller;
  };
}

const rateLimited = (retryAfter: number) =>
  new AppError('RATE_LIMITED', 429, `Too many requests. Try again in ${retryAfter} s.`, { retryAfter });
