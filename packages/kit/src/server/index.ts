export { type Access, type Caller, headers as identityHeaders, type Role, sameSecret } from './auth.ts';
export { type App, createServer, frameworkError, type ServerOptions } from './create-server.ts';
export * from './errors.ts';
export { fastifyLoggers } from './fastify-loggers.ts';
export { type HttpMetrics, httpMetrics } from './metrics.ts';
export { probeRoutes, probeTraceId } from './probes.ts';
export { requestIdOf } from './request-id.ts';
export { type ListQuery, listQuery, Money, money, page, problemAnswer, problemSchema } from './schemas.ts';
export { fieldErrors, installValidators } from './validation.ts';
