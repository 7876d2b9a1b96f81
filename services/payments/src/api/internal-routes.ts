// The payment API the orders saga calls: internal (the gateway does not route /internal), idempotent per order id.
import type { App } from '@bazaar/kit/server';
import { authorizePayment } from '../use-cases/authorize-payment.ts';
import { capturePayment } from '../use-cases/capture-payment.ts';
import type { Deps } from '../use-cases/deps.ts';
import { paymentOfOrder } from '../use-cases/queries.ts';
import { refundPayment } from '../use-cases/refund-payment.ts';
import { voidPayment } from '../use-cases/void-payment.ts';
import { AuthorizeAnswer, AuthorizeBody, OrderIdParams, PaymentRecordSchema, StatusAnswer } from './schemas.ts';

export function internalRoutes(app: App, deps: Deps): void {
  // The internal key is the credential here: the saga calls with no user behind it.
  const config = { access: 'public' as const };
  const params = OrderIdParams;

  app.post(
    '/internal/payments/authorize',
    { config, schema: { hide: true, body: AuthorizeBody, response: { 200: AuthorizeAnswer } } },
    async (req) => authorizePayment(deps, req.body),
  );

  app.post(
    '/internal/payments/:orderId/capture',
    { config, schema: { hide: true, params, response: { 200: StatusAnswer } } },
    async (req) => capturePayment(deps, req.params.orderId),
  );

  app.post(
    '/internal/payments/:orderId/void',
    { config, schema: { hide: true, params, response: { 200: StatusAnswer } } },
    async (req) => voidPayment(deps, req.params.orderId),
  );

  app.post(
    '/internal/payments/:orderId/refund',
    { config, schema: { hide: true, params, response: { 200: StatusAnswer } } },
    async (req) => refundPayment(deps, req.params.orderId),
  );

  app.get(
    '/internal/payments/by-order/:orderId',
    { config, schema: { hide: true, params, response: { 200: PaymentRecordSchema } } },
    async (req) => paymentOfOrder(deps.db, req.params.orderId),
  );
}
