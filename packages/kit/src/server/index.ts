export { type App, createServer, type ServerOptions } from './create-server.ts';
export * from './errors.ts';
export { type Access, type Caller, type Role, headers as identityHeaders, sameSecret } from './auth.ts';
export { listQuery, type ListQuery, money, Money, page, problemSchema } from './schemas.ts';
