import { createHash } from 'node:crypto';

// txnRefFor: deterministic per (orderId, attempt), so a retried or re-inquired attempt always names the same payment.
// 'T' + 19 upper-case hex chars = 20 chars: fits JazzCash pp_TxnRefNo (max 20) and EasyPaisa orderId.
export function txnRefFor(orderId: string, attempt: number): string {
  if (!orderId) throw new TypeError('orderId is required');
  if (!Number.isSafeInteger(attempt) || attempt < 0) throw new TypeError('attempt must be a non-negative integer');
  const digest = createHash('sha256').update(`${orderId}\u0000${attempt}`).digest('hex');
  return `T${digest.slice(0, 19).toUpperCase()}`;
}
