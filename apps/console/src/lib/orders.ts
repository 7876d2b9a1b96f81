// orders: what the console reads from an order's status and payment, as pure functions.

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** An order in one of these states changes no more: its page stops refreshing. */
export const isFinal = (status: string) => status === 'DELIVERED' || status === 'REJECTED' || status === 'CANCELLED';

export type Tone = 'ok' | 'warn' | 'bad' | 'plain';

/** tone colours an order's, payment's or shipment's status: going well, waiting, failed, or neither. */
export function tone(status: string): Tone {
  if (['CONFIRMED', 'SHIPPED', 'DELIVERED', 'AUTHORIZED', 'CAPTURED'].includes(status)) return 'ok';
  if (status === 'PENDING') return 'warn';
  if (['REJECTED', 'DECLINED'].includes(status)) return 'bad';
  return 'plain';
}

const METHODS: Record<string, string> = { jazzcash: 'JazzCash', easypaisa: 'EasyPaisa', cod: 'Cash on delivery' };

/** methodName: jazzcash → JazzCash, cod → Cash on delivery; an unknown method as it came. */
export const methodName = (method: string) => METHODS[method] ?? method;
