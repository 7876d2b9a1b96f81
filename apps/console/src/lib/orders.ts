// orders: what the console reads from an order's status and payment, as pure functions.
import { isFinal, METHOD_NAMES, ORDER_STATUSES, type OrderStatus } from '@bazaar/web-kit/api-types';

// isFinal: an order's page stops refreshing once it is true.
export { isFinal, ORDER_STATUSES, type OrderStatus };

export type Tone = 'ok' | 'warn' | 'bad' | 'plain';

/** tone colours an order's, payment's or shipment's status: going well, waiting, failed, or neither. */
export function tone(status: string): Tone {
  if (['CONFIRMED', 'SHIPPED', 'DELIVERED', 'AUTHORIZED', 'CAPTURED'].includes(status)) return 'ok';
  if (status === 'PENDING') return 'warn';
  if (['REJECTED', 'DECLINED'].includes(status)) return 'bad';
  return 'plain';
}

/** methodName: jazzcash → JazzCash, cod → Cash on delivery; an unknown method as it came. */
export const methodName = (method: string) => (METHOD_NAMES as Record<string, string>)[method] ?? method;
