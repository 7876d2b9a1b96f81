// provider: the contract between the payments service and a wallet provider adapter (JazzCash, EasyPaisa).

export type AuthorizeRequest = {
  orderId: string;
  attempt: number; // unique per attempt: the provider's transaction reference is derived from (orderId, attempt)
  amount: number; // paisa, integer
  wallet?: string;
  cnic?: string; // last six digits of the customer's CNIC: JazzCash sends v2.0 with it; EasyPaisa has no such field
  description?: string;
};

export type ProviderResult =
  | { outcome: 'approved'; reference: string; raw?: Record<string, unknown> }
  | { outcome: 'declined'; code: string; message: string; reference?: string }
  | { outcome: 'unavailable'; message: string; timedOut?: true }; // timeout / 5xx after retries / breaker open: the caller decides

/** reversed: it took the money and gave it back; failed: it never took any; not_found: it has no record of the ref. */
export type InquiryStatus = 'paid' | 'failed' | 'reversed' | 'not_found' | 'pending';

/**
 * Try: one request sent to the provider: when it went, how long it took, its HTTP status if it was answered, the
 * failure that ended it if one did, and whether it was sent again (retried: a 5xx or a connection failure).
 */
export type Try = {
  startedAt: string;
  durationMs: number;
  status?: number;
  failure?: 'timeout' | 'server_error' | 'connection' | 'aborted' | 'bad_response';
  retried: boolean;
};

/** CallOptions: a caller's hold on one operation: to give up on it, and to hear of every request it sends. */
export type CallOptions = { signal?: AbortSignal; onTry?: (t: Try) => void };

export interface PaymentProvider {
  readonly name: 'jazzcash' | 'easypaisa';
  authorize(req: AuthorizeRequest, call?: CallOptions): Promise<ProviderResult>;
  // inquire throws ProviderUnavailableError when the provider cannot be asked (so "unknown" is never read as "pending")
  inquire(txnRef: string, call?: CallOptions): Promise<{ status: InquiryStatus; reference?: string }>;
  reverse(txnRef: string, call?: CallOptions): Promise<{ ok: boolean }>; // void/refund a completed wallet debit
}

// ProviderUnavailableError: thrown by inquire when there is no trustworthy answer (timeout, 5xx, breaker, bad signature).
export class ProviderUnavailableError extends Error {
  readonly code = 'PROVIDER_UNAVAILABLE';
}

export type BreakerState = 'closed' | 'open' | 'half-open';

// CallbackCheck: the verdict on a provider's signed callback; only 'ok' may change anything.
export type CallbackCheck = 'ok' | 'bad_signature' | 'stale';
