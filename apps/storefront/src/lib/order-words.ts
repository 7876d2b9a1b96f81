// order-words: what the order page says of an order's status and payment, to the shopper who placed it ('your
// parcel') or to an admin reading someone else's ('the parcel', 'Ayesha Khan pays').
import { METHOD_NAMES } from '@bazaar/web-kit/api-types';
import type { Order } from './api.ts';
import { formatMoney } from './money.ts';
import type { OrderStatus } from './order-stream.ts';

/** Reader: the order's own shopper, or an admin reading a customer's order (`customer`: their name, once known). */
export type Reader = { own: true } | { own: false; customer?: string };

const paymentWords: Record<string, string> = {
  PENDING: 'Waiting for confirmation',
  AUTHORIZED: 'Authorised',
  CAPTURED: 'Paid',
  DECLINED: 'Declined',
  VOIDED: 'Voided, nothing charged',
  REFUNDED: 'Refunded',
};

/** paymentLine: `JazzCash: Paid`, or for cash not yet taken, who pays it on delivery. */
export function paymentLine(order: Order, reader: Reader): string {
  const line = `${METHOD_NAMES[order.payment.method]}: ${paymentWords[order.payment.status] ?? order.payment.status}`;
  if (order.payment.method !== 'cod' || order.payment.status !== 'AUTHORIZED') return line;
  return `${line}, ${reader.own ? 'pay' : 'to be paid'} on delivery`;
}

function rejectionWords(reason: string | undefined, wallet: string): string {
  switch (reason) {
    case 'OUT_OF_STOCK':
      return 'Some items were out of stock. Nothing was charged.';
    case 'PAYMENT_DECLINED':
      return `${wallet} declined the payment. Nothing was charged.`;
    case 'PAYMENT_TIMEOUT':
      return `${wallet} did not confirm the payment in time. Nothing was charged.`;
    case 'PAYMENT_UNAVAILABLE':
      return 'The payment service could not be reached. Nothing was charged.';
    case 'PAYMENT_FAILED':
      return `${wallet} did not complete the payment. Nothing was charged.`;
    default:
      return 'Nothing was charged.';
  }
}

/** headline says where the order stands; reason: the rejection's, as the stream told it before the order is read. */
export function headline(order: Order, status: OrderStatus, reader: Reader, reason?: string): string {
  const wallet = order.payment.method === 'cod' ? undefined : METHOD_NAMES[order.payment.method];
  const courier = order.shipping.courier ? ` with ${order.shipping.courier}` : '';
  const cash = formatMoney(order.total);
  if (!reader.own) {
    const customer = reader.customer ?? 'The customer';
    switch (status) {
      case 'PENDING':
        return wallet ? `Waiting for payment confirmation from ${wallet}…` : 'Waiting for confirmation of the order…';
      case 'CONFIRMED':
        return wallet
          ? `${wallet} payment received. The parcel is being handed to the courier.`
          : `The parcel is being handed to the courier. ${customer} pays ${cash} in cash on delivery.`;
      case 'SHIPPED':
        return `The parcel is on its way${courier}.`;
      case 'DELIVERED':
        return `The parcel was delivered to ${reader.customer ?? 'the customer'}.`;
    }
  }
  switch (status) {
    case 'PENDING':
      return wallet ? `Waiting for payment confirmation from ${wallet}…` : 'Waiting for confirmation of your order…';
    case 'CONFIRMED':
      return wallet
        ? `${wallet} payment received. We are handing your parcel to the courier.`
        : `We are handing your parcel to the courier. Pay ${cash} in cash when it arrives.`;
    case 'SHIPPED':
      return `Your parcel is on its way${courier}.`;
    case 'DELIVERED':
      return 'Your parcel has arrived. Thank you for shopping with Bazaar!';
    case 'REJECTED':
      return rejectionWords(order.rejectionReason ?? reason, wallet ?? 'The wallet');
    case 'CANCELLED':
      return 'Any payment taken is refunded.';
  }
}

/** orderTitle names the order, and for an admin whose it is: `Ayesha Khan’s order 605643E3`. */
export function orderTitle(shortId: string, reader: Reader): string {
  return !reader.own && reader.customer ? `${reader.customer}’s order ${shortId}` : `Order ${shortId}`;
}
