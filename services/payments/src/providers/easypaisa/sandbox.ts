import { setTimeout as sleep } from 'node:timers/promises';
import { installValidators } from '@bazaar/kit/server';
import type { FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import { flakyCounter, repeatOf, type SandboxTransaction, sandboxWallets, walletPattern } from '../sandbox-wallets.ts';
import {
  buildEasyPaisaCallback,
  type EasyPaisaAnswer,
  easyPaisaAnswerBody,
  easyPaisaCallbackFields,
  easyPaisaCodes,
  easyPaisaDateTime,
  easyPaisaIpn,
  easyPaisaPaths,
  easyPaisaStatus,
  invalidDebitField,
  maRequiredFields,
  otcRequiredFields,
  paisaToRupees,
  readCredentials,
  readEasyPaisaRequest,
} from './format.ts';

// easypaisa/sandbox: a stand-in for the Easypay staging host, answering as the provider would (HTTP 200 + code).

export type EasyPaisaSandboxOptions = {
  storeId: string;
  username: string;
  password: string;
  slowMs?: number; // how long the slow wallet holds its answer; default 10 s
  hashKey?: string; // signs the notifications callbackFor builds
};

export type EasyPaisaSandbox = {
  app: FastifyInstance;
  transactions: Map<string, SandboxTransaction>;
  callbackFor(txnRef: string): Record<string, string> | undefined;
};

const bodySchema = { body: { type: 'object' } };
const answer = (a: EasyPaisaAnswer) => easyPaisaAnswerBody(a);

export function createEasyPaisaSandbox(options: EasyPaisaSandboxOptions): EasyPaisaSandbox {
  const transactions = new Map<string, SandboxTransaction>();
  const shouldFail = flakyCounter();
  const slowMs = options.slowMs ?? 10_000;
  const app = Fastify();
  installValidators(app);
  let sequence = 0;

  const result = (t: SandboxTransaction): EasyPaisaAnswer => ({
    responseCode: t.responseCode,
    responseDesc: t.status === 'declined' ? 'LOW BALANCE' : 'SUCCESS',
    orderId: t.txnRef,
    storeId: options.storeId,
    transactionId: t.providerReference,
    transactionDateTime: easyPaisaDateTime(t.createdAt),
  });
  // repeated: a known orderId is never debited twice; the answer tells the transaction's state as it is now.
  const repeated = (t: SandboxTransaction, amount: number, wallet: string): EasyPaisaAnswer => {
    const repeat = repeatOf(t, amount, wallet);
    if (repeat === 'replay') return result(t);
    if (repeat === 'reversed')
      return { responseCode: easyPaisaCodes.alreadyReversed, responseDesc: 'TRANSACTION REVERSED', orderId: t.txnRef };
    return { responseCode: easyPaisaCodes.orderIdMismatch, responseDesc: 'ORDER ID ALREADY USED', orderId: t.txnRef };
  };
  // gate: credentials, then store, then required fields, in the order the provider's codes suggest.
  const gate = (headers: Record<string, unknown>, body: Record<string, unknown>, required: string[]) => {
    const r = readEasyPaisaRequest(body);
    const who = readCredentials(typeof headers.credentials === 'string' ? headers.credentials : undefined);
    if (who?.username !== options.username || who.password !== options.password)
      return {
        refusal: answer({ responseCode: easyPaisaCodes.invalidCredentials, responseDesc: 'INVALID CREDENTIALS' }),
        r,
      };
    if (r.storeId && r.storeId !== options.storeId)
      return { refusal: answer({ responseCode: easyPaisaCodes.invalidStoreId, responseDesc: 'INVALID STORE ID' }), r };
    const missing = r.missing(required);
    if (missing)
      return {
        refusal: answer({
          responseCode: easyPaisaCodes.requiredFieldMissing,
          responseDesc: `REQUIRED FIELD MISSING: ${missing}`,
        }),
        r,
      };
    return { r };
  };
  const invalid = (field: string) =>
    answer({ responseCode: easyPaisaCodes.requiredFieldMissing, responseDesc: `INVALID VALUE: ${field}` });
  const notFound = (orderId: string) =>
    answer({ responseCode: easyPaisaCodes.orderNotFound, responseDesc: 'ORDER NOT FOUND', orderId });

  app.setErrorHandler((error, _request, reply) => {
    // like the provider: a malformed request gets a coded answer, not an HTTP error page.
    if (((error as { statusCode?: number }).statusCode ?? 500) < 500)
      return reply
        .code(200)
        .send(answer({ responseCode: easyPaisaCodes.requiredFieldMissing, responseDesc: 'MALFORMED REQUEST' }));
    return reply.code(500).send({ message: 'Internal Server Error' });
  });

  app.post(easyPaisaPaths.initiateMa, { schema: bodySchema }, async (request, reply) => {
    const { refusal, r } = gate(request.headers, request.body as Record<string, unknown>, maRequiredFields);
    if (refusal) return refusal;
    const bad = invalidDebitField(request.body as Record<string, unknown>, 'MA');
    if (bad || !r.amount) return invalid(bad ?? 'transactionAmount');
    if (!walletPattern.test(r.wallet)) return invalid('mobileAccountNo');
    const seen = transactions.get(r.orderId);
    if (seen) return answer(repeated(seen, r.amount, r.wallet));
    const order = r.order || r.orderId;
    if (r.wallet === sandboxWallets.flaky && shouldFail(order))
      return reply.code(500).send({ message: 'Internal Server Error' });
    const declined = r.wallet === sandboxWallets.declined;
    const t: SandboxTransaction = {
      txnRef: r.orderId,
      order,
      wallet: r.wallet,
      amount: r.amount,
      status: declined ? 'declined' : 'paid',
      responseCode: declined ? easyPaisaCodes.lowBalance : easyPaisaCodes.success,
      providerReference: String(7_000_000_000 + ++sequence),
      createdAt: new Date(),
    };
    transactions.set(t.txnRef, t);
    // the slow wallet is debited now but answers late: "the provider later reports success".
    if (r.wallet === sandboxWallets.slow) await sleep(slowMs);
    return answer(result(t));
  });

  // initiate-otc: the sandbox simulates wallets only, so even a well-formed OTC debit is refused with a code.
  app.post(easyPaisaPaths.initiateOtc, { schema: bodySchema }, async (request) => {
    const { refusal, r } = gate(request.headers, request.body as Record<string, unknown>, otcRequiredFields);
    if (refusal) return refusal;
    const bad = invalidDebitField(request.body as Record<string, unknown>, 'OTC');
    if (bad || !walletPattern.test(r.msisdn)) return invalid(bad ?? 'msisdn');
    return answer({
      responseCode: easyPaisaCodes.requiredFieldMissing,
      responseDesc: 'OTC NOT ENABLED FOR THIS STORE',
    });
  });

  app.post(easyPaisaPaths.inquire, { schema: bodySchema }, async (request) => {
    const { refusal, r } = gate(request.headers, request.body as Record<string, unknown>, ['storeId', 'orderId']);
    if (refusal) return refusal;
    const t = transactions.get(r.orderId);
    if (!t) return notFound(r.orderId);
    const status = { paid: easyPaisaStatus.paid, declined: easyPaisaStatus.failed, reversed: easyPaisaStatus.reversed };
    return answer({
      ...result(t),
      responseCode: easyPaisaCodes.success,
      responseDesc: 'SUCCESS',
      transactionStatus: status[t.status],
      transactionAmount: paisaToRupees(t.amount),
      errorCode: t.status === 'declined' ? t.responseCode : undefined,
      errorReason: t.status === 'declined' ? 'LOW BALANCE' : undefined,
    });
  });

  // The page an IPN points at: the transaction as it stands, for the merchant's credentials only.
  app.get<{ Params: { ref: string } }>(easyPaisaIpn.route, async (request, reply) => {
    const who = readCredentials(typeof request.headers.credentials === 'string' ? request.headers.credentials : '');
    if (who?.username !== options.username || who.password !== options.password)
      return answer({ responseCode: easyPaisaCodes.invalidCredentials, responseDesc: 'INVALID CREDENTIALS' });
    const t = transactions.get(request.params.ref);
    if (!t) return reply.code(404).send(notFound(request.params.ref));
    const status = { paid: easyPaisaStatus.paid, declined: easyPaisaStatus.failed, reversed: easyPaisaStatus.reversed };
    return { orderRefNumber: t.txnRef, storeId: options.storeId, transactionStatus: status[t.status] };
  });

  // reverse: idempotent; a failed debit has nothing to give back, so it also answers success.
  app.post(easyPaisaPaths.reverse, { schema: bodySchema }, async (request) => {
    const { refusal, r } = gate(request.headers, request.body as Record<string, unknown>, ['storeId', 'orderId']);
    if (refusal) return refusal;
    const t = transactions.get(r.orderId);
    if (!t) return notFound(r.orderId);
    if (t.status === 'paid') Object.assign(t, { status: 'reversed', reversedAt: new Date() });
    return answer({ responseCode: easyPaisaCodes.success, responseDesc: 'SUCCESS', orderId: t.txnRef });
  });

  return {
    app,
    transactions,
    // callbackFor: the signed notification the provider would send now about a transaction. [ours]
    callbackFor(txnRef) {
      const t = transactions.get(txnRef);
      if (!t || !options.hashKey) return undefined;
      const status = {
        paid: easyPaisaStatus.paid,
        declined: easyPaisaStatus.failed,
        reversed: easyPaisaStatus.reversed,
      };
      const fields = {
        [easyPaisaCallbackFields.txnRef]: t.txnRef,
        [easyPaisaCallbackFields.status]: status[t.status],
        storeId: options.storeId,
        transactionAmount: paisaToRupees(t.amount),
        transactionId: t.providerReference,
      };
      return buildEasyPaisaCallback(fields, new Date(), options.hashKey);
    },
  };
}
