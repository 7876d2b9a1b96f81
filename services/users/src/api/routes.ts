// The users service's HTTP surface: thin handlers over the use cases.
import type { Db } from '@bazaar/kit/database';
import { type App, listQuery, page, problemAnswer } from '@bazaar/kit/server';
import type { FastifyRequest } from 'fastify';
import type { UsersConfig } from '../config.ts';
import { clientAddressHeader } from '../contracts.ts';
import type { HashGate } from '../domain/hash-gate.ts';
import { listUsers } from '../use-cases/list-users.ts';
import { logIn } from '../use-cases/log-in.ts';
import { allOrderHistory, orderHistory } from '../use-cases/order-history.ts';
import { getProfile, updateProfile } from '../use-cases/profile.ts';
import { signUp } from '../use-cases/sign-up.ts';
import type { Signer } from '../use-cases/signing-keys.ts';
import {
  AnyoneHistoryEntrySchema,
  HistoryEntrySchema,
  JwksSchema,
  LoginBody,
  ProfilePatch,
  SignUpBody,
  TokenSchema,
  UserSchema,
  UsersQuery,
} from './schemas.ts';

/** clientOf: the address the gateway forwarded (the internal key vouches for it), else the socket's (a direct call). */
function clientOf(req: FastifyRequest): string {
  const forwarded = req.headers[clientAddressHeader];
  return (typeof forwarded === 'string' && forwarded) || req.socket.remoteAddress || 'unknown';
}

export function usersRoutes(app: App, deps: { db: Db; signer: Signer; config: UsersConfig; gate: HashGate }): void {
  const { db, signer, config, gate } = deps;
  const busy = {
    429: problemAnswer('RATE_LIMITED: too many sign-ups and logins from this address are waiting; see Retry-After'),
    503: problemAnswer('SERVICE_UNAVAILABLE: too many sign-ups and logins are waiting; see Retry-After'),
  };
  const tags = ['Users and auth'];

  app.post(
    '/api/users',
    {
      schema: {
        tags,
        summary: 'Sign up',
        body: SignUpBody,
        response: {
          201: UserSchema,
          409: problemAnswer('EMAIL_TAKEN: an account with this email exists'),
          ...busy,
        },
      },
    },
    async (req, reply) => {
      const user = await signUp(db, gate, { ...req.body, client: clientOf(req) }, req.log);
      return reply.code(201).send(user);
    },
  );

  app.post(
    '/api/auth/login',
    {
      schema: {
        tags,
        summary: 'Log in and get an access token',
        body: LoginBody,
        response: {
          200: TokenSchema,
          401: problemAnswer('INVALID_CREDENTIALS: no account with this email and password'),
          429: problemAnswer(
            'RATE_LIMITED: too many failed logins for this account, or too many logins from this address waiting; see Retry-After',
          ),
          503: busy[503],
        },
      },
    },
    async (req) => logIn(db, signer, config, gate, { ...req.body, client: clientOf(req) }, req.log),
  );

  app.get(
    '/api/users/me',
    { config: { access: 'customer' }, schema: { tags, summary: 'Your profile', response: { 200: UserSchema } } },
    async (req) => getProfile(db, req.caller!.id),
  );

  app.patch(
    '/api/users/me',
    {
      config: { access: 'customer' },
      schema: { tags, summary: 'Change your name, phone or city', body: ProfilePatch, response: { 200: UserSchema } },
    },
    async (req) => updateProfile(db, req.caller!.id, req.body),
  );

  app.get(
    '/api/users/me/orders',
    {
      config: { access: 'customer' },
      schema: {
        tags,
        summary: 'Your order history, newest first',
        querystring: listQuery,
        response: { 200: page(HistoryEntrySchema) },
      },
    },
    async (req) => orderHistory(db, req.caller!.id, req.query.limit, req.query.cursor),
  );

  app.get(
    '/api/users/order-history',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: "Every customer's order history, in order id order (admin)",
        querystring: listQuery,
        response: { 200: page(AnyoneHistoryEntrySchema) },
      },
    },
    async (req) => allOrderHistory(db, req.query.limit, req.query.cursor),
  );

  app.get(
    '/api/users',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'All users, or those of ids (admin)',
        querystring: UsersQuery,
        response: { 200: page(UserSchema) },
      },
    },
    async (req) => listUsers(db, req.query),
  );

  app.get(
    '/.well-known/jwks.json',
    { schema: { tags, summary: 'Public keys that verify access tokens', response: { 200: JwksSchema } } },
    async (_req, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return signer.jwks();
    },
  );
}
