// What shipping does when orders speaks: ship a confirmed order, call back a cancelled one.
import type { EffectHandler } from '@bazaar/kit/messaging';
import type { Logger } from '@bazaar/kit/telemetry';
import { type OrderCancelledData, type OrderConfirmedData, OrderEvents } from '@bazaar/orders/contracts';
import { cancelShipment } from '../use-cases/cancel-shipment.ts';
import { createShipment } from '../use-cases/create-shipment.ts';

export const consumedEvents = [OrderEvents.confirmed, OrderEvents.cancelled];

/** Runs inside the inbox's transaction, so each event takes effect once. */
export function orderEvents(log: Logger): EffectHandler {
  return async (tx, event) => {
    if (event.type === OrderEvents.confirmed) {
      const order = event.data as OrderConfirmedData;
      const shipment = await createShipment(tx, order);
      if (shipment)
        log.info(
          { orderId: order.orderId, trackingNumber: shipment.trackingNumber, courier: shipment.courier },
          'shipment created',
        );
      else
        log.info(
          { orderId: order.orderId, eventId: event.id },
          'order already has a shipment or was cancelled; nothing created',
        );
    } else if (event.type === OrderEvents.cancelled) {
      const { orderId } = event.data as OrderCancelledData;
      const outcome = await cancelShipment(tx, orderId);
      // Orders cancels through the internal API first; a shipment already on the road is not ours to stop here.
      if (outcome.kind === 'not-cancellable')
        log.warn({ orderId, status: outcome.status }, 'order cancelled after pick-up; shipment continues');
      else log.info({ orderId, outcome: outcome.kind }, 'shipment cancelled with its order');
    }
  };
}
