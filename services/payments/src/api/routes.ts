// The payments service's public HTTP surface (through the gateway): payments, provider callbacks, the ledger for admins.
import { parse } from 'node:querystring';
import { type App, FORBIDDEN_KEY, page, problemAnswer } from '@bazaar/kit/server';
import { Value } from 'typebox/value';
import { badSignature } from '../domain/payment.ts';
import type { Deps } from '../use-cases/deps.ts';
import { handleCallback } from '../use-cases/handle-callback.ts';
import { journal, listPayments, paymentSummary, providerAttempts } from '../use-cases/queries.ts';
import {
  AttemptSchema,
  AttemptsQuery,
  CallbackAnswer,
  CallbackBody,
  LedgerAnswer,
  LedgerQuery,
  PaymentIdParams,
  PaymentSchema,
  PaymentsQuery,
  ProviderParams,
  SummaryAnswer,
  SummaryQuery,
} from './schemas.ts';

export function paymentsRoutes(app: App, deps: Deps): void {
  const { db } = deps;
  const tags = ['Payments'];
  acceptFormBodies(app);

  app.get(
    '/api/payments',
    {
      config: { access: 'customer' },
      schema: {
        tags,
        summary: 'Payments of your orders (all, for admins)',
        querystring: PaymentsQuery,
        response: { 200: page(PaymentSchema), 404: problemAnswer('NOT_FOUND: no payment of yours for this order') },
      },
    },
    async (req) => listPayments(db, req.caller!, req.query),
  );

  app.post(
    '/api/payments/callbacks/:provider',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: "A provider's signed payment notification (JSON or form-encoded)",
        consumes: ['application/json', 'application/x-www-form-urlencoded'],
        params: ProviderParams,
        body: CallbackBody,
        response: {
          200: CallbackAnswer,
          401: problemAnswer('BAD_SIGNATURE: not signed by the provider, or too old'),
          404: problemAnswer('NOT_FOUND: no such provider'),
        },
      },
      // A body its schema refuses is no signed callback: the use case answers 401, as API.md asks, not the edge 400.
      validatorCompiler: (part) => (part.httpPart === 'body' ? () => true : app.validatorCompiler!(part)),
      // Nor is one that is not JSON at all.
      errorHandler: (error, req, reply) =>
        app.errorHandler(
          unreadable.has((error as { code?: string }).code!) ? badSignature('bad_signature') : error,
          req,
          reply,
        ),
    },
    async (req) =>
      handleCallback(deps, req.params.provider, Value.Check(CallbackBody, req.body) ? req.body : undefined),
  );

  app.get(
    '/api/payments/:id/attempts',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: "A payment's calls to its provider, oldest first: authorisations, inquiries, reversals (admin)",
        params: PaymentIdParams,
        querystring: AttemptsQuery,
        response: { 200: page(AttemptSchema), 404: problemAnswer('NOT_FOUND: no payment with this id') },
      },
    },
    async (req) => providerAttempts(db, req.params.id, req.query),
  );

  app.get(
    '/api/payments/summary',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Captured, refunded and held per order, newest first and paged, and the ledger audit (admin)',
        querystring: SummaryQuery,
        response: { 200: SummaryAnswer },
      },
    },
    async (req) => paymentSummary(db, req.query),
  );

  app.get(
    '/api/payments/ledger',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Journal entries, newest first; of one order with ?orderId= (admin)',
        querystring: LedgerQuery,
        response: { 200: LedgerAnswer },
      },
    },
    async (req) => ({
      items: await journal(db, req.query),
    }),
  );
}

/** Providers post their return URL as an HTML form: parse it into the same flat object a JSON body gives. */
const unreadable = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY', FORBIDDEN_KEY]);

function acceptFormBodies(app: App): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, { ...parse(body as string) });
  });
}
