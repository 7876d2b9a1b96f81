// The payment API the orders saga calls, over gRPC (proto/payments/v1): the same use cases and rules as the REST routes.
import {
  attempt,
  batchOf,
  checkMessage,
  type Handler,
  loadService,
  outcomeMessage,
  type Refusal,
  servePassing,
} from '@bazaar/kit/grpc';
import type { AuthorizeRequest } from '../contracts.ts';
import { authorizePayment } from '../use-cases/authorize-payment.ts';
import { capturePayment, capturePayments } from '../use-cases/capture-payment.ts';
import type { Deps } from '../use-cases/deps.ts';
import { refundPayment } from '../use-cases/refund-payment.ts';
import { voidPayment } from '../use-cases/void-payment.ts';
import { AuthorizeBody, OrderIdParams } from './schemas.ts';

/** The messages of payments.proto as proto-loader decodes them: camelCase fields, int64 paisa as a number. */
export type OrderRefMessage = { orderId: string };
export type AuthorizeMessage = {
  orderId: string;
  userId: string;
  amount: number;
  method: string;
  wallet?: string;
  cnic?: string;
};
export type AuthorizationMessage = {
  orderId: string;
  paymentId: string;
  status: string;
  outcome: string;
  reference?: string;
  reason?: string;
};
export type PaymentStatusMessage = { orderId: string; status: string };
export type OrderRefsMessage = { orderIds: string[] };
export type CaptureOutcomeMessage = { captured?: PaymentStatusMessage; refusal?: Refusal };

export const paymentsService = () =>
  loadService(new URL('../../../../proto/payments/v1/payments.proto', import.meta.url), 'bazaar.payments.v1.Payments');

type Methods = 'Authorize' | 'Capture' | 'Void' | 'Refund' | 'CaptureMany';

export function paymentHandlers(deps: Deps): Record<Methods, Handler> {
  const orderId = (req: OrderRefMessage) => checkMessage<OrderRefMessage>(OrderIdParams, req).orderId;
  return {
    Authorize: (req: AuthorizeMessage): Promise<AuthorizationMessage> =>
      authorizePayment(deps, checkMessage<AuthorizeRequest>(AuthorizeBody, req)),
    Capture: (req: OrderRefMessage): Promise<PaymentStatusMessage> => capturePayment(deps, orderId(req)),
    Void: (req: OrderRefMessage): Promise<PaymentStatusMessage> => voidPayment(deps, orderId(req)),
    Refund: (req: OrderRefMessage): Promise<PaymentStatusMessage> => refundPayment(deps, orderId(req)),
    async CaptureMany(req: OrderRefsMessage): Promise<{ outcomes: CaptureOutcomeMessage[] }> {
      // Each order id meets Capture's schema on its own: a bad one is refused, the others go ahead.
      const checked = batchOf(req.orderIds).map((id) => attempt(() => orderId({ orderId: id })));
      const answers = await servePassing(checked, (ids) => capturePayments(deps, ids));
      return { outcomes: answers.map((o) => outcomeMessage(o, 'captured')) };
    },
  };
}
