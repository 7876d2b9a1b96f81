// What other services may rely on from payments: its events, the internal API the orders saga calls, and their shapes.
import type { Money } from '@bazaar/kit/server';

export const PaymentEvents = { captured: 'PaymentCaptured', refunded: 'PaymentRefunded' } as const;

export type PaymentMethod = 'jazzcash' | 'easypaisa' | 'cod';
/** AUTHORIZING is internal (the provider is being asked); the public API shows it as PENDING. */
export type PaymentStatus = 'AUTHORIZING' | 'AUTHORIZED' | 'CAPTURED' | 'DECLINED' | 'VOIDED' | 'REFUNDED';
export type AuthorizeOutcome = 'approved' | 'declined' | 'timeout' | 'unavailable';

/** PaymentCaptured: a wallet payment captured at order confirmation, or cash collected at delivery. */
export type PaymentCapturedData = {
  orderId: string;
  paymentId: string;
  method: PaymentMethod;
  amount: Money;
  status: 'CAPTURED';
  at: string;
};
/** PaymentRefunded: the captured amount given back to the customer. */
export type PaymentRefundedData = {
  orderId: string;
  paymentId: string;
  method: PaymentMethod;
  amount: Money;
  status: 'REFUNDED';
  at: string;
};

/**
 * Internal HTTP API (send x-internal-key; no user needed). Every call is idempotent per order id. The same calls
 * (not byOrder) are served over gRPC: proto/payments/v1/payments.proto (Authorize, Capture, Void, Refund).
 */
export const paymentsInternal = {
  /** POST AuthorizeRequest → 200 AuthorizeResponse · 400 VALIDATION_FAILED · 409 PAYMENT_MISMATCH. */
  authorize: '/internal/payments/authorize',
  /** POST → 200 PaymentStatusResponse · 404 NOT_FOUND · 409 PAYMENT_NOT_CAPTURABLE (declined, voided, refunded). */
  capture: (orderId: string) => `/internal/payments/${encodeURIComponent(orderId)}/capture`,
  /** POST → 200 PaymentStatusResponse · 409 PAYMENT_ALREADY_CAPTURED · 503 PROVIDER_UNAVAILABLE (retry). */
  void: (orderId: string) => `/internal/payments/${encodeURIComponent(orderId)}/void`,
  /** POST → 200 PaymentStatusResponse · 503 PROVIDER_UNAVAILABLE (retry). */
  refund: (orderId: string) => `/internal/payments/${encodeURIComponent(orderId)}/refund`,
  /** GET → 200 PaymentRecord · 404 NOT_FOUND. */
  byOrder: (orderId: string) => `/internal/payments/by-order/${encodeURIComponent(orderId)}`,
} as const;

/**
 * amount is integer paisa > 0; wallet (03XXXXXXXXX) is required for jazzcash and easypaisa and absent for cod; cnic
 * (the last six digits of the customer's CNIC) is optional for jazzcash, refused for the others, and never stored.
 */
export type AuthorizeRequest = {
  orderId: string;
  userId: string;
  amount: number;
  method: PaymentMethod;
  wallet?: string;
  cnic?: string;
};

/**
 * approved: AUTHORIZED (cod at once). declined: DECLINED, reason PAYMENT_DECLINED; or VOIDED, reason PAYMENT_VOIDED,
 * when the order was voided first. timeout / unavailable: VOIDED, reason PAYMENT_TIMEOUT / PAYMENT_UNAVAILABLE, and any
 * debit the provider made is reversed. A repeated call answers the stored outcome (status may have moved on since).
 */
export type AuthorizeResponse = {
  orderId: string;
  paymentId: string;
  status: PaymentStatus;
  outcome: AuthorizeOutcome;
  reference?: string;
  reason?: string;
};

/** Capture, void and refund answer the payment's status after the call. */
export type PaymentStatusResponse = { orderId: string; status: PaymentStatus };

export type PaymentRecord = {
  id: string;
  orderId: string;
  userId: string | null;
  method: PaymentMethod | null;
  amount: Money;
  status: PaymentStatus;
  outcome: AuthorizeOutcome | null;
  reason: string | null;
  reference: string | null;
  /** From the ledger: what was captured, and what of it was refunded. */
  captured: Money;
  refunded: Money;
  attempts: { operation: 'authorize' | 'inquire' | 'reverse'; result: string; at: string }[];
  createdAt: string;
  updatedAt: string;
};

/** Problem codes of the internal API besides VALIDATION_FAILED and NOT_FOUND. */
export const PaymentErrors = {
  notCapturable: 'PAYMENT_NOT_CAPTURABLE',
  alreadyCaptured: 'PAYMENT_ALREADY_CAPTURED',
  mismatch: 'PAYMENT_MISMATCH',
  providerUnavailable: 'PROVIDER_UNAVAILABLE',
  badSignature: 'BAD_SIGNATURE',
} as const;

/** The reason an authorisation was not approved; the orders saga rejects the order with it. */
export const PaymentReasons = {
  declined: 'PAYMENT_DECLINED',
  timeout: 'PAYMENT_TIMEOUT',
  unavailable: 'PAYMENT_UNAVAILABLE',
  voided: 'PAYMENT_VOIDED',
} as const;

/** GET /api/payments/summary (admin), for `bazaar verify`. Amounts are paisa; held is authorised but neither captured nor released. */
export type PaymentSummary = {
  byOrder: {
    orderId: string;
    method: PaymentMethod | null;
    status: PaymentStatus;
    amount: number;
    captured: number;
    refunded: number;
    held: number;
  }[];
  /** More payments follow, on the page nextCursor reads. */
  truncated: boolean;
  nextCursor: string | null;
  ledger: {
    balanced: boolean;
    entries: number;
    accounts: { account: string; debit: number; credit: number; balance: number }[];
    /** Audit findings beyond the balance: money still held for a released payment, refunds above captures. */
    problems: string[];
  };
};
