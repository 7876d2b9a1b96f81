// A payment, the rules that move it between statuses, and the errors of this bounded context.
import { AppError, validationFailed } from '@bazaar/kit/server';
import type { AuthorizeOutcome, AuthorizeRequest, PaymentMethod, PaymentStatus } from '../contracts.ts';
import { PaymentErrors, PaymentReasons } from '../contracts.ts';

export type WalletMethod = Exclude<PaymentMethod, 'cod'>;

export type Payment = {
  id: string;
  orderId: string;
  userId: string | null; // null: a tombstone, voided before any authorisation
  method: PaymentMethod | null; // null on a tombstone, unless a provider reported money for it
  wallet: string | null;
  amount: number; // paisa; 0 on a tombstone
  status: PaymentStatus;
  outcome: AuthorizeOutcome | null;
  reason: string | null;
  reference: string | null;
  /** A provider call for it is in flight (somewhere): wait. */
  leased: boolean;
  /** The fencing token of the last lease taken, until given back; a lapsed one is taken over (payment-turns.ts). */
  leaseToken: string | null;
  createdAt: string;
  updatedAt: string;
};

export const walletMethods: readonly WalletMethod[] = ['jazzcash', 'easypaisa'];
export const isWallet = (method: PaymentMethod | null): method is WalletMethod =>
  method === 'jazzcash' || method === 'easypaisa';

/** The public face of a status: an authorisation in progress is PENDING. */
export const publicStatus = (status: PaymentStatus): Exclude<PaymentStatus, 'AUTHORIZING'> | 'PENDING' =>
  status === 'AUTHORIZING' ? 'PENDING' : status;

/** A wallet number goes with a wallet, and only with one; a CNIC only with JazzCash, the one provider that takes it. */
export function checkAuthorizeRequest(req: AuthorizeRequest): void {
  if (isWallet(req.method) && !req.wallet)
    throw validationFailed([{ path: 'wallet', message: `is required for ${req.method}` }]);
  if (req.method === 'cod' && req.wallet !== undefined)
    throw validationFailed([{ path: 'wallet', message: 'is not allowed for cod' }]);
  if (req.method !== 'jazzcash' && req.cnic !== undefined)
    throw validationFailed([{ path: 'cnic', message: `is not allowed for ${req.method}` }]);
}

export const isTombstone = (p: Payment) => p.userId === null;

/** A repeated authorisation must ask for the same payment; a tombstone has nothing to compare. */
export function checkSameRequest(p: Payment, req: AuthorizeRequest): void {
  if (isTombstone(p)) return;
  if (
    p.method !== req.method ||
    p.amount !== req.amount ||
    p.userId !== req.userId ||
    (p.wallet ?? undefined) !== req.wallet
  )
    throw new AppError(PaymentErrors.mismatch, 409, 'This order already has a different payment.', {
      orderId: p.orderId,
    });
}

/** The reason that goes with an authorisation outcome. */
export const reasonFor = (outcome: AuthorizeOutcome): string | null =>
  ({
    approved: null,
    declined: PaymentReasons.declined,
    timeout: PaymentReasons.timeout,
    unavailable: PaymentReasons.unavailable,
  })[outcome];

/** capture: a wallet payment is captured at confirmation; cash on delivery waits for the delivery. */
export function captureStep(p: Payment): 'capture' | 'keep' {
  if (p.status === 'CAPTURED') return 'keep';
  if (p.status === 'AUTHORIZED') return p.method === 'cod' ? 'keep' : 'capture';
  throw new AppError(PaymentErrors.notCapturable, 409, `The payment is ${p.status} and cannot be captured.`, {
    orderId: p.orderId,
    status: p.status,
  });
}

/**
 * void: releases an authorisation (AUTHORIZED, or AUTHORIZING: a call cut short, settled as refused); captured money
 * needs a refund instead; anything else is final already.
 */
export function voidStep(p: Payment): 'release' | 'keep' {
  if (p.status === 'CAPTURED')
    throw new AppError(PaymentErrors.alreadyCaptured, 409, 'The payment is captured: refund it instead.', {
      orderId: p.orderId,
      status: p.status,
    });
  return p.status === 'AUTHORIZED' || p.status === 'AUTHORIZING' ? 'release' : 'keep';
}

/** refund: gives back what was captured; an authorisation not yet captured (cash before delivery) is released. */
export function refundStep(p: Payment): 'refund' | 'release' | 'keep' {
  if (p.status === 'CAPTURED') return 'refund';
  return voidStep(p);
}

export const providerUnavailable = (provider: string) =>
  new AppError(PaymentErrors.providerUnavailable, 503, `${provider} did not confirm the reversal; try again.`);
export const notificationUnreadable = (provider: string) =>
  new AppError(
    PaymentErrors.providerUnavailable,
    503,
    `${provider}'s notification page cannot be read now; send it again.`,
  );
export const badSignature = (verdict: 'bad_signature' | 'stale') =>
  new AppError(
    PaymentErrors.badSignature,
    401,
    verdict === 'stale' ? 'The callback is too old.' : 'The callback signature is not valid.',
  );
