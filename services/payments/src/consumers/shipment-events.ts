// Shipment events: cash on delivery is captured when the courier delivers.
import type { Tx } from '@bazaar/kit/database';
import type { Envelope } from '@bazaar/kit/messaging';
import type { ShipmentStatusChangedData } from '@bazaar/shipping/contracts';
import { paymentsRepo } from '../data/payments-repo.ts';
import { captureNow } from '../use-cases/capture-payment.ts';

/** Only a delivery can capture a payment: the other steps of a shipment are not worth an inbox transaction. */
export const isDelivery = (event: Envelope) => (event.data as ShipmentStatusChangedData).status === 'DELIVERED';

/** Runs in the inbox's transaction: a cash payment is captured (and PaymentCaptured written) at delivery. */
export async function onShipmentStatusChanged(tx: Tx, event: Envelope): Promise<void> {
  const shipment = event.data as ShipmentStatusChangedData;
  if (shipment.status !== 'DELIVERED') return;
  const p = await paymentsRepo.lockByOrder(tx, shipment.orderId);
  if (p?.method !== 'cod' || p.status !== 'AUTHORIZED') return; // wallets were captured at confirmation
  await captureNow(tx, p);
}
