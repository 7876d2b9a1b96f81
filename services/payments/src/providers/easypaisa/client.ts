import {
  type AuthorizeRequest,
  type BreakerState,
  type PaymentProvider,
  type ProviderResult,
  ProviderUnavailableError,
} from '../provider.ts';
import { createResilientPoster } from '../resilient-http.ts';
import { txnRefFor } from '../txn-ref.ts';
import {
  credentialsHeader,
  type EasyPaisaAnswer,
  easyPaisaCodes,
  easyPaisaOutcome,
  easyPaisaPaths,
  easyPaisaStatus,
  inquiryBody,
  maTransactionBody,
  readEasyPaisaAnswer,
  reverseBody,
} from './format.ts';

// easypaisa/client: the PaymentProvider for EasyPaisa mobile accounts (Easypay REST v4, transactionType MA).

export type EasyPaisaConfig = {
  baseUrl: string; // e.g. https://easypaystg.easypaisa.com.pk
  storeId: string;
  username: string;
  password: string;
  accountNum?: string; // merchant account number, sent with inquiries when set
  emailAddress?: string; // the MA call requires one and our orders carry none; default below
  timeoutMs?: number; // per HTTP call; default 1500
  retries?: number; // on 5xx / connection errors only; default 2
  paths?: Partial<typeof easyPaisaPaths>;
  tokenExpiryMs?: number; // default 1 h
  backoffMs?: number;
  breakerThreshold?: number;
  halfOpenAfterMs?: number;
  now?: () => Date;
};

export type EasyPaisaProvider = PaymentProvider & { readonly name: 'easypaisa'; breakerState(): BreakerState };

type Answered = { ok: true; answer: EasyPaisaAnswer } | { ok: false; message: string; timedOut?: true };

export function createEasyPaisaProvider(config: EasyPaisaConfig): EasyPaisaProvider {
  const poster = createResilientPoster(config);
  const paths = { ...easyPaisaPaths, ...config.paths };
  const now = config.now ?? (() => new Date());
  const headers = credentialsHeader(config.username, config.password);

  // send: the REST body is unsigned (TLS + Credentials only), so we can check the answer names our order, no more.
  async function send(path: string, body: Record<string, string>, signal?: AbortSignal): Promise<Answered> {
    const res = await poster.post(new URL(path, config.baseUrl).href, body, headers, signal);
    if (!res.ok)
      return { ok: false, message: res.message, ...(res.reason === 'timeout' ? { timedOut: true as const } : {}) };
    if (res.status !== 200) return { ok: false, message: `provider answered HTTP ${res.status}` };
    const answer = readEasyPaisaAnswer(res.body);
    if (answer.orderId && answer.orderId !== body.orderId)
      return { ok: false, message: 'response names another order' };
    return { ok: true, answer };
  }

  async function inquiry(txnRef: string, signal?: AbortSignal): Promise<EasyPaisaAnswer> {
    const body = inquiryBody({ storeId: config.storeId, orderId: txnRef, accountNum: config.accountNum });
    const res = await send(paths.inquire, body, signal);
    if (!res.ok) throw new ProviderUnavailableError(res.message);
    const { responseCode, responseDesc } = res.answer;
    if (responseCode !== easyPaisaCodes.success && responseCode !== easyPaisaCodes.orderNotFound)
      throw new ProviderUnavailableError(`inquiry refused: ${responseCode} ${responseDesc}`);
    return res.answer;
  }

  return {
    name: 'easypaisa',
    breakerState: () => poster.breakerState(),

    async authorize(req: AuthorizeRequest, signal?: AbortSignal): Promise<ProviderResult> {
      if (!req.wallet) throw new TypeError('wallet is required for EasyPaisa');
      if (!Number.isSafeInteger(req.amount) || req.amount <= 0) throw new TypeError('amount must be positive paisa');
      const txnRef = txnRefFor(req.orderId, req.attempt);
      const body = maTransactionBody({
        storeId: config.storeId,
        orderId: txnRef,
        amount: req.amount,
        wallet: req.wallet,
        email: config.emailAddress ?? 'payments@bazaar.pk',
        tokenExpiry: new Date(now().getTime() + (config.tokenExpiryMs ?? 3_600_000)),
        optional: [req.orderId, req.description],
      });
      const res = await send(paths.initiateMa, body, signal);
      if (!res.ok)
        return { outcome: 'unavailable', message: res.message, ...(res.timedOut ? { timedOut: true as const } : {}) };
      const a = res.answer;
      const outcome = easyPaisaOutcome(a.responseCode);
      if (outcome === 'approved') {
        const raw = {
          responseCode: a.responseCode,
          transactionId: a.transactionId,
          transactionDateTime: a.transactionDateTime,
        };
        return { outcome: 'approved', reference: txnRef, raw };
      }
      if (outcome === 'declined')
        return { outcome: 'declined', code: a.responseCode, message: a.responseDesc, reference: txnRef };
      return { outcome: 'unavailable', message: `provider outcome unknown: ${a.responseCode} ${a.responseDesc}` };
    },

    async inquire(txnRef: string, signal?: AbortSignal) {
      const a = await inquiry(txnRef, signal);
      if (a.responseCode === easyPaisaCodes.orderNotFound) return { status: 'not_found' };
      if (a.transactionStatus === easyPaisaStatus.paid) return { status: 'paid', reference: txnRef };
      if (a.transactionStatus === easyPaisaStatus.pending) return { status: 'pending', reference: txnRef };
      if (a.transactionStatus === easyPaisaStatus.failed || a.transactionStatus === easyPaisaStatus.reversed)
        return { status: 'failed', reference: txnRef }; // reversed: the provider holds no money either way
      throw new ProviderUnavailableError(`inquiry status not understood: ${a.transactionStatus ?? '(none)'}`);
    },

    async reverse(txnRef: string, signal?: AbortSignal) {
      const body = reverseBody({ storeId: config.storeId, orderId: txnRef, accountNum: config.accountNum });
      const res = await send(paths.reverse, body, signal);
      return { ok: res.ok && res.answer.responseCode === easyPaisaCodes.success };
    },
  };
}
