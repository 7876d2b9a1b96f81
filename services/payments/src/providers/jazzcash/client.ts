import {
  type AuthorizeRequest,
  type BreakerState,
  type PaymentProvider,
  type ProviderResult,
  ProviderUnavailableError,
} from '../provider.ts';
import { createResilientPoster, type PostResult } from '../resilient-http.ts';
import { txnRefFor } from '../txn-ref.ts';
import {
  inquiryFields,
  type JazzCashAnswer,
  type JazzCashFields,
  jazzCashCodes,
  jazzCashOutcome,
  jazzCashPaths,
  jazzCashStatus,
  mwalletFields,
  readJazzCashAnswer,
  refundFields,
  signJazzCashFields,
  verifyJazzCashHash,
} from './format.ts';

// jazzcash/client: the PaymentProvider for JazzCash wallets (MWALLET v2.0), debiting in one step.

export type JazzCashConfig = {
  baseUrl: string; // e.g. https://sandbox.jazzcash.com.pk
  merchantId: string;
  password: string;
  integritySalt: string;
  timeoutMs?: number; // per HTTP call; default 1500
  retries?: number; // on 5xx / connection errors only; default 2
  mpin?: string; // merchant MPIN, asked for by wallet refunds
  paths?: Partial<typeof jazzCashPaths>;
  expiryMs?: number; // pp_TxnExpiryDateTime - pp_TxnDateTime; default 1 h
  backoffMs?: number;
  breakerThreshold?: number;
  halfOpenAfterMs?: number;
  now?: () => Date;
};

export type JazzCashProvider = PaymentProvider & { readonly name: 'jazzcash'; breakerState(): BreakerState };

type Trusted = { ok: true; answer: JazzCashAnswer } | { ok: false; message: string; timedOut?: true };

export function createJazzCashProvider(config: JazzCashConfig): JazzCashProvider {
  const poster = createResilientPoster(config);
  const paths = { ...jazzCashPaths, ...config.paths };
  const now = config.now ?? (() => new Date());
  const credentials = { merchantId: config.merchantId, password: config.password };

  // send: sign, post, and trust the answer only if its own secure hash checks out and it names our transaction.
  async function send(path: string, fields: JazzCashFields, txnRef: string, signal?: AbortSignal): Promise<Trusted> {
    const signed = signJazzCashFields(fields, config.integritySalt);
    const res: PostResult = await poster.post(new URL(path, config.baseUrl).href, signed, {}, signal);
    if (!res.ok)
      return { ok: false, message: res.message, ...(res.reason === 'timeout' ? { timedOut: true as const } : {}) };
    if (res.status !== 200) return { ok: false, message: `provider answered HTTP ${res.status}` };
    if (!verifyJazzCashHash(res.body, config.integritySalt))
      return { ok: false, message: 'response signature invalid' };
    const answer = readJazzCashAnswer(res.body);
    if (answer.txnRef && answer.txnRef !== txnRef) return { ok: false, message: 'response names another transaction' };
    return { ok: true, answer };
  }

  async function inquiry(txnRef: string, signal?: AbortSignal): Promise<JazzCashAnswer> {
    const res = await send(paths.inquiry, inquiryFields({ ...credentials, txnRef }), txnRef, signal);
    if (!res.ok) throw new ProviderUnavailableError(res.message);
    const { code, message } = res.answer;
    if (code !== jazzCashCodes.success && code !== jazzCashCodes.notFound)
      throw new ProviderUnavailableError(`inquiry refused: ${code} ${message}`);
    return res.answer;
  }

  return {
    name: 'jazzcash',
    breakerState: () => poster.breakerState(),

    async authorize(req: AuthorizeRequest, signal?: AbortSignal): Promise<ProviderResult> {
      if (!req.wallet) throw new TypeError('wallet is required for JazzCash');
      if (!Number.isSafeInteger(req.amount) || req.amount <= 0) throw new TypeError('amount must be positive paisa');
      const txnRef = txnRefFor(req.orderId, req.attempt);
      const at = now();
      const fields = mwalletFields({
        ...credentials,
        txnRef,
        amount: req.amount,
        wallet: req.wallet,
        billReference: req.orderId,
        description: req.description ?? `Bazaar order ${req.orderId}`,
        at,
        expiry: new Date(at.getTime() + (config.expiryMs ?? 3_600_000)),
      });
      const res = await send(paths.mwallet, fields, txnRef, signal);
      if (!res.ok)
        return { outcome: 'unavailable', message: res.message, ...(res.timedOut ? { timedOut: true as const } : {}) };
      const a = res.answer;
      const outcome = jazzCashOutcome(a.code);
      if (outcome === 'approved') {
        const raw = { responseCode: a.code, authCode: a.authCode, retrievalReferenceNo: a.retrievalRef };
        return { outcome: 'approved', reference: txnRef, raw };
      }
      if (outcome === 'declined') return { outcome: 'declined', code: a.code, message: a.message, reference: txnRef };
      return { outcome: 'unavailable', message: `provider outcome unknown: ${a.code} ${a.message}` };
    },

    async inquire(txnRef: string, signal?: AbortSignal) {
      const a = await inquiry(txnRef, signal);
      if (a.code === jazzCashCodes.notFound) return { status: 'not_found' };
      if (a.status === jazzCashStatus.paid) return { status: 'paid', reference: txnRef };
      if (a.status === jazzCashStatus.pending) return { status: 'pending', reference: txnRef };
      if (a.status === jazzCashStatus.failed || a.status === jazzCashStatus.reversed)
        return { status: 'failed', reference: txnRef }; // reversed: the provider holds no money either way
      throw new ProviderUnavailableError(`inquiry status not understood: ${a.status ?? '(none)'}`);
    },

    // reverse: refunds need the amount, so ask the provider first; ok only once it holds nothing for this ref.
    async reverse(txnRef: string, signal?: AbortSignal) {
      let a: JazzCashAnswer;
      try {
        a = await inquiry(txnRef, signal);
      } catch {
        return { ok: false };
      }
      if (a.status === jazzCashStatus.failed || a.status === jazzCashStatus.reversed) return { ok: true };
      if (a.code === jazzCashCodes.notFound || a.status !== jazzCashStatus.paid || a.amount === undefined)
        return { ok: false };
      const fields = refundFields({ ...credentials, txnRef, amount: a.amount, mpin: config.mpin ?? '' });
      const res = await send(paths.refund, fields, txnRef, signal);
      return { ok: res.ok && res.answer.code === jazzCashCodes.success };
    },
  };
}
