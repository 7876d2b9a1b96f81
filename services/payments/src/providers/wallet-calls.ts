// wallet-calls: the request plumbing both wallet adapters share around their own fields and signatures: a
// resilient POST whose answer counts only once the adapter trusts it, and the reading of debits and inquiries
// into the PaymentProvider's results. What a provider calls its fields, codes and statuses stays in its adapter.
import {
  type AuthorizeRequest,
  type BreakerState,
  type CallOptions,
  type InquiryStatus,
  type ProviderResult,
  ProviderUnavailableError,
} from './provider.ts';
import { createResilientPoster, type ResilienceOptions } from './resilient-http.ts';
import { txnRefFor } from './txn-ref.ts';

export type Trusted<A> = { ok: true; answer: A } | { ok: false; message: string; timedOut?: true };

/** Trust: a 200 answer read into the adapter's terms, or why it is not to be believed (signature, foreign ref). */
export type Trust<A> = { answer: A } | { distrust: string };

export type SendOptions = CallOptions & { headers?: Record<string, string> };

export type WalletCaller = {
  send<A>(
    path: string,
    body: Record<string, string>,
    trust: (body: Record<string, unknown>) => Trust<A>,
    options?: SendOptions,
  ): Promise<Trusted<A>>;
  breakerState(): BreakerState;
};

/** createWalletCaller: one per adapter, so each provider has its own circuit breaker. */
export function createWalletCaller(config: ResilienceOptions & { baseUrl: string }): WalletCaller {
  const poster = createResilientPoster(config);
  return {
    breakerState: () => poster.breakerState(),
    async send(path, body, trust, { headers = {}, ...call } = {}) {
      const res = await poster.post(new URL(path, config.baseUrl).href, body, headers, call);
      if (!res.ok)
        return { ok: false, message: res.message, ...(res.reason === 'timeout' ? { timedOut: true as const } : {}) };
      if (res.status !== 200) return { ok: false, message: `provider answered HTTP ${res.status}` };
      const read = trust(res.body);
      return 'distrust' in read ? { ok: false, message: read.distrust } : { ok: true, answer: read.answer };
    },
  };
}

/** walletDebit: the checks every wallet debit starts with, and the txn ref the provider will know it by. */
export function walletDebit(req: AuthorizeRequest, provider: string): { wallet: string; txnRef: string } {
  if (!req.wallet) throw new TypeError(`wallet is required for ${provider}`);
  if (!Number.isSafeInteger(req.amount) || req.amount <= 0) throw new TypeError('amount must be positive paisa');
  return { wallet: req.wallet, txnRef: txnRefFor(req.orderId, req.attempt) };
}

/** Verdict: a provider's answer to a debit in common terms; `raw` is what the payment keeps of an approval. */
export type Verdict = {
  outcome: 'approved' | 'declined' | 'unknown';
  code: string;
  message: string;
  raw: Record<string, unknown>;
};

/** debitResult: no trusted answer, or one whose outcome is unknown, is `unavailable`: the caller inquires. */
export function debitResult<A>(res: Trusted<A>, txnRef: string, verdict: (answer: A) => Verdict): ProviderResult {
  if (!res.ok)
    return { outcome: 'unavailable', message: res.message, ...(res.timedOut ? { timedOut: true as const } : {}) };
  const { outcome, code, message, raw } = verdict(res.answer);
  if (outcome === 'approved') return { outcome: 'approved', reference: txnRef, raw };
  if (outcome === 'declined') return { outcome: 'declined', code, message, reference: txnRef };
  return { outcome: 'unavailable', message: `provider outcome unknown: ${code} ${message}` };
}

/** InquiryCodes: the answer codes of an inquiry that say something (found, or not found) and the status values. */
export type InquiryCodes = {
  success: string;
  notFound: string;
  status: { paid: string; pending: string; failed: string; reversed: string };
};

/** Said: what an inquiry answer says, in common terms: its answer code and message, and the payment's status. */
export type Said = { code: string; message: string; status?: string };

/** inquiryAnswer: a trusted answer with a code that says something, else ProviderUnavailableError. */
export function inquiryAnswer<A>(res: Trusted<A>, said: (answer: A) => Said, codes: InquiryCodes): A {
  if (!res.ok) throw new ProviderUnavailableError(res.message);
  const { code, message } = said(res.answer);
  if (code !== codes.success && code !== codes.notFound)
    throw new ProviderUnavailableError(`inquiry refused: ${code} ${message}`);
  return res.answer;
}

/** inquiryStatus: what the provider holds for a txn ref; a status we cannot read is no answer, never `pending`. */
export function inquiryStatus(
  txnRef: string,
  { code, status }: Said,
  codes: InquiryCodes,
): { status: InquiryStatus; reference?: string } {
  if (code === codes.notFound) return { status: 'not_found' };
  if (status === codes.status.paid) return { status: 'paid', reference: txnRef };
  if (status === codes.status.pending) return { status: 'pending', reference: txnRef };
  if (status === codes.status.failed) return { status: 'failed', reference: txnRef };
  if (status === codes.status.reversed) return { status: 'reversed', reference: txnRef };
  throw new ProviderUnavailableError(`inquiry status not understood: ${status ?? '(none)'}`);
}
