// The reservation API the orders saga calls, over gRPC (proto/inventory/v1): the same use cases and rules as the REST routes.
import type { Db } from '@bazaar/kit/database';
import { checkMessage, type Handler, loadService } from '@bazaar/kit/grpc';
import { commitReservation } from '../use-cases/commit-reservation.ts';
import { releaseReservation } from '../use-cases/release-reservation.ts';
import { reserveStock } from '../use-cases/reserve-stock.ts';
import { OrderIdParams, ReserveBody } from './schemas.ts';

/** The messages of inventory.proto as proto-loader decodes them: camelCase fields, int64 paisa as a number. */
export type OrderRefMessage = { orderId: string };
export type ReserveMessage = { orderId: string; lines: { sku: string; quantity: number }[] };
export type ReservationMessage = {
  orderId: string;
  status: string;
  lines: { sku: string; name: string; quantity: number; unitPrice: { amount: number; currency: string } }[];
};
export type ReservationStatusMessage = { orderId: string; status: string };

export const inventoryService = () =>
  loadService(
    new URL('../../../../proto/inventory/v1/inventory.proto', import.meta.url),
    'bazaar.inventory.v1.Inventory',
  );

export function reservationHandlers(deps: { db: Db }): Record<'Reserve' | 'Commit' | 'Release', Handler> {
  const { db } = deps;
  return {
    Reserve: (req: ReserveMessage): Promise<ReservationMessage> => reserveStock(db, checkMessage(ReserveBody, req)),
    Commit: (req: OrderRefMessage): Promise<ReservationStatusMessage> =>
      commitReservation(db, checkMessage<OrderRefMessage>(OrderIdParams, req).orderId),
    Release: (req: OrderRefMessage): Promise<ReservationStatusMessage> =>
      releaseReservation(db, checkMessage<OrderRefMessage>(OrderIdParams, req).orderId),
  };
}
