import type { AuthorizeRequest, BreakerState, CallOptions, PaymentProvider, ProviderResult } from '../provider.ts';
import type { ResilienceOptions } from '../resilient-http.ts';
import * as calls from '../wallet-calls.ts';
import {
  inquiryFields,
  type JazzCashAnswer,
  type JazzCashFields,
  jazzCashCodes,
  jazzCashOutcome,
  jazzCashPaths,
  jazzCashStatus,
  mwalletFields,
  mwalletPath,
  readJazzCashAnswer,
  refundFields,
  signJazzCashFields,
  verifyJazzCashHash,
} from './format.ts';

// jazzcash/client: the PaymentProvider for JazzCash wallets (MWALLET v1.1, v2.0 given a CNIC), debiting in one step.

// Timeouts, retries and the breaker: ResilienceOptions, the same for both wallets.
export type JazzCashConfig = ResilienceOptions & {
  baseUrl: string; // e.g. https://sandbox.jazzcash.com.pk
  merchantId: string;
  password: string;
  integritySalt: string;
  mpin?: string; // merchant MPIN, asked for by wallet refunds
  paths?: Partial<typeof jazzCashPaths>;
  expiryMs?: number; // pp_TxnExpiryDateTime - pp_TxnDateTime; default 1 h
  now?: () => Date;
};

// JazzCashAuthorizeRequest: a customer's CNIC (last six digits), when known, makes the debit v2.0.
export type JazzCashAuthorizeRequest = AuthorizeRequest & { cnic?: string };

export type JazzCashProvider = Omit<PaymentProvider, 'authorize'> & {
  readonly name: 'jazzcash';
  authorize(req: JazzCashAuthorizeRequest, call?: CallOptions): Promise<ProviderResult>;
  breakerState(): BreakerState;
};

const inquiryCodes: calls.InquiryCodes = {
  success: jazzCashCodes.success,
  notFound: jazzCashCodes.notFound,
  status: jazzCashStatus,
};
const said = (a: JazzCashAnswer): calls.Said => ({ code: a.code, message: a.message, status: a.status });
const verdict = (a: JazzCashAnswer): calls.Verdict => ({
  outcome: jazzCashOutcome(a.code),
  code: a.code,
  message: a.message,
  raw: { responseCode: a.code, authCode: a.authCode, retrievalReferenceNo: a.retrievalRef },
});

export function createJazzCashProvider(config: JazzCashConfig): JazzCashProvider {
  const caller = calls.createWalletCaller(config);
  const paths = { ...jazzCashPaths, ...config.paths };
  const now = config.now ?? (() => new Date());
  const credentials = { merchantId: config.merchantId, password: config.password };

  // send: sign, post, and trust the answer only if its own secure hash checks out and it names our transaction.
  function send(path: string, fields: JazzCashFields, txnRef: string, call?: CallOptions) {
    const trust = (body: Record<string, unknown>): calls.Trust<JazzCashAnswer> => {
      if (!verifyJazzCashHash(body, config.integritySalt)) return { distrust: 'response signature invalid' };
      const answer = readJazzCashAnswer(body);
      if (answer.txnRef && answer.txnRef !== txnRef) return { distrust: 'response names another transaction' };
      return { answer };
    };
    return caller.send(path, signJazzCashFields(fields, config.integritySalt), trust, call);
  }

  async function inquiry(txnRef: string, call?: CallOptions): Promise<JazzCashAnswer> {
    const res = await send(paths.inquiry, inquiryFields({ ...credentials, txnRef }), txnRef, call);
    return calls.inquiryAnswer(res, said, inquiryCodes);
  }

  return {
    name: 'jazzcash',
    breakerState: () => caller.breakerState(),

    async authorize(req: JazzCashAuthorizeRequest, call?: CallOptions): Promise<ProviderResult> {
      const { wallet, txnRef } = calls.walletDebit(req, 'JazzCash');
      const at = now();
      const fields = mwalletFields({
        ...credentials,
        txnRef,
        amount: req.amount,
        wallet,
        cnic: req.cnic,
        billReference: req.orderId,
        description: req.description ?? `Bazaar order ${req.orderId}`,
        at,
        expiry: new Date(at.getTime() + (config.expiryMs ?? 3_600_000)),
      });
      return calls.debitResult(await send(mwalletPath(fields, paths), fields, txnRef, call), txnRef, verdict);
    },

    async inquire(txnRef: string, call?: CallOptions) {
      return calls.inquiryStatus(txnRef, said(await inquiry(txnRef, call)), inquiryCodes);
    },

    // reverse: refunds need the amount, so ask the provider first; ok only once it holds nothing for this ref.
    async reverse(txnRef: string, call?: CallOptions) {
      let a: JazzCashAnswer;
      try {
        a = await inquiry(txnRef, call);
      } catch {
        return { ok: false };
      }
      if (a.status === jazzCashStatus.failed || a.status === jazzCashStatus.reversed) return { ok: true };
      if (a.code === jazzCashCodes.notFound || a.status !== jazzCashStatus.paid || a.amount === undefined)
        return { ok: false };
      const fields = refundFields({ ...credentials, txnRef, amount: a.amount, mpin: config.mpin ?? '' });
      const res = await send(paths.refund, fields, txnRef, call);
      return { ok: res.ok && res.answer.code === jazzCashCodes.success };
    },
  };
}
