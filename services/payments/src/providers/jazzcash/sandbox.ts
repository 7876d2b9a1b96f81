import { setTimeout as sleep } from 'node:timers/promises';
import { installValidators } from '@bazaar/kit/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Fastify from 'fastify';
import { flakyCounter, repeatOf, type SandboxTransaction, sandboxWallets, walletPattern } from '../sandbox-wallets.ts';
import {
  buildJazzCashCallback,
  invalidMwalletField,
  type JazzCashAnswer,
  type JazzCashFields,
  jazzCashAnswerFields,
  jazzCashCodes,
  jazzCashDateTime,
  jazzCashPaths,
  jazzCashStatus,
  jazzCashVersions,
  readJazzCashRequest,
  signJazzCashFields,
  verifyJazzCashHash,
} from './format.ts';

// jazzcash/sandbox: a stand-in for the JazzCash sandbox host, answering as the provider would (HTTP 200 + code).

export type JazzCashSandboxOptions = {
  merchantId: string;
  password: string;
  integritySalt: string;
  mpin?: string; // when set, refunds must carry it
  slowMs?: number; // how long the slow wallet holds its answer; default 10 s
};

export type JazzCashSandbox = {
  app: FastifyInstance;
  transactions: Map<string, SandboxTransaction>;
  callbackFor(txnRef: string): JazzCashFields | undefined;
};

const bodySchema = { body: { type: 'object' } };

export function createJazzCashSandbox(options: JazzCashSandboxOptions): JazzCashSandbox {
  const transactions = new Map<string, SandboxTransaction>();
  const shouldFail = flakyCounter();
  const slowMs = options.slowMs ?? 10_000;
  const app = Fastify();
  installValidators(app);
  let sequence = 0;

  const sign = (a: JazzCashAnswer) =>
    signJazzCashFields(jazzCashAnswerFields(a, options.merchantId), options.integritySalt);
  const refuse = (txnRef: string, message: string) => sign({ code: jazzCashCodes.invalidRequest, message, txnRef });
  const answerFor = (t: SandboxTransaction): JazzCashAnswer => ({
    code: t.responseCode,
    message: t.status === 'declined' ? 'Insufficient balance' : 'Thank you for using JazzCash',
    txnRef: t.txnRef,
    amount: t.amount,
    billReference: t.order,
    authCode: t.status === 'declined' ? undefined : t.providerReference.slice(-6),
    retrievalRef: t.providerReference,
  });
  // repeated: a known ref is never debited twice; the answer tells the transaction's state as it is now.
  const repeated = (t: SandboxTransaction, amount: number, wallet: string): JazzCashAnswer => {
    const repeat = repeatOf(t, amount, wallet);
    if (repeat === 'replay') return answerFor(t);
    if (repeat === 'reversed')
      return { code: jazzCashCodes.alreadyReversed, message: 'Transaction already reversed', txnRef: t.txnRef };
    return {
      code: jazzCashCodes.refMismatch,
      message: 'pp_TxnRefNo already used with other details',
      txnRef: t.txnRef,
    };
  };
  // gate: the checks every endpoint makes before looking at the transaction.
  const gate = (f: Record<string, unknown>) => {
    const r = readJazzCashRequest(f);
    if (r.merchantId !== options.merchantId || r.password !== options.password)
      return { refusal: refuse(r.txnRef, 'Invalid merchant credentials'), r };
    if (!verifyJazzCashHash(f, options.integritySalt))
      return { refusal: refuse(r.txnRef, 'Please provide valid value for pp_SecureHash'), r };
    if (!r.txnRef) return { refusal: refuse('', 'Please provide valid value for pp_TxnRefNo'), r };
    return { r };
  };

  app.setErrorHandler((error, _request, reply) => {
    // like the provider: a malformed request gets a coded answer, not an HTTP error page.
    if (((error as { statusCode?: number }).statusCode ?? 500) < 500)
      return reply.code(200).send(refuse('', 'Malformed request'));
    return reply.code(500).send({ message: 'Internal Server Error' });
  });

  // debit: each wallet path takes one pp_Version, and refuses fields the way the provider would (110).
  const debit = (version: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    const fields = request.body as Record<string, unknown>;
    const { refusal, r } = gate(fields);
    if (refusal) return refusal;
    const invalid =
      invalidMwalletField(fields, version) ?? (walletPattern.test(r.wallet) ? undefined : 'pp_MobileNumber');
    if (invalid) return refuse(r.txnRef, `Please provide valid value for ${invalid}`);
    const amount = Number(r.amount);
    const seen = transactions.get(r.txnRef);
    if (seen) return sign(repeated(seen, amount, r.wallet));
    const order = r.billReference || r.txnRef;
    if (r.wallet === sandboxWallets.flaky && shouldFail(order))
      return reply.code(500).send({ message: 'Internal Server Error' });
    const declined = r.wallet === sandboxWallets.declined;
    const t: SandboxTransaction = {
      txnRef: r.txnRef,
      order,
      wallet: r.wallet,
      amount,
      status: declined ? 'declined' : 'paid',
      responseCode: declined ? jazzCashCodes.insufficientBalance : jazzCashCodes.success,
      providerReference: `JC${String(++sequence).padStart(10, '0')}`,
      createdAt: new Date(),
    };
    transactions.set(t.txnRef, t);
    // the slow wallet is debited now but answers late: "the provider later reports success".
    if (r.wallet === sandboxWallets.slow) await sleep(slowMs);
    return sign(answerFor(t));
  };
  app.post(jazzCashPaths.mwallet, { schema: bodySchema }, debit(jazzCashVersions.withoutCnic));
  app.post(jazzCashPaths.mwalletV2, { schema: bodySchema }, debit(jazzCashVersions.withCnic));

  app.post(jazzCashPaths.inquiry, { schema: bodySchema }, async (request) => {
    const { refusal, r } = gate(request.body as Record<string, unknown>);
    if (refusal) return refusal;
    const t = transactions.get(r.txnRef);
    if (!t) return sign({ code: jazzCashCodes.notFound, message: 'Transaction not found', txnRef: r.txnRef });
    const status = { paid: jazzCashStatus.paid, declined: jazzCashStatus.failed, reversed: jazzCashStatus.reversed }[
      t.status
    ];
    return sign({
      ...answerFor(t),
      code: jazzCashCodes.success,
      message: 'Success',
      status,
      paymentCode: t.responseCode,
    });
  });

  app.post(jazzCashPaths.refund, { schema: bodySchema }, async (request) => {
    const { refusal, r } = gate(request.body as Record<string, unknown>);
    if (refusal) return refusal;
    if (options.mpin !== undefined && r.mpin !== options.mpin) return refuse(r.txnRef, 'Invalid merchant MPIN');
    const t = transactions.get(r.txnRef);
    if (!t) return sign({ code: jazzCashCodes.notFound, message: 'Transaction not found', txnRef: r.txnRef });
    if (t.status === 'declined') return refuse(r.txnRef, 'Transaction is not eligible for refund');
    if (r.amount !== String(t.amount)) return refuse(r.txnRef, 'Please provide valid value for pp_Amount');
    if (t.status === 'paid') Object.assign(t, { status: 'reversed', reversedAt: new Date() });
    return sign({ code: jazzCashCodes.success, message: 'Refund successful', txnRef: t.txnRef, amount: t.amount });
  });

  return {
    app,
    transactions,
    callbackFor(txnRef) {
      const t = transactions.get(txnRef);
      if (!t) return undefined;
      const fields = { ...answerFor(t), txnDateTime: jazzCashDateTime(t.createdAt) };
      return buildJazzCashCallback(fields, options.merchantId, options.integritySalt);
    },
  };
}
