// The reservation API the orders saga calls, over gRPC (proto/inventory/v1): the same use cases and rules as the REST routes.
import type { Db } from '@bazaar/kit/database';
import {
  attempt,
  batchOf,
  checkMessage,
  type Handler,
  loadService,
  outcomeMessage,
  type Refusal,
  servePassing,
} from '@bazaar/kit/grpc';
import { commitReservation, commitReservations } from '../use-cases/commit-reservation.ts';
import { releaseReservation } from '../use-cases/release-reservation.ts';
import { reserveStock, reserveStockBatch } from '../use-cases/reserve-stock.ts';
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
export type ReserveManyMessage = { orders: ReserveMessage[] };
export type ReserveOutcomeMessage = { reservation?: ReservationMessage; refusal?: Refusal };
export type OrderRefsMessage = { orderIds: string[] };
export type CommitOutcomeMessage = { committed?: ReservationStatusMessage; refusal?: Refusal };

export const inventoryService = () =>
  loadService(
    new URL('../../../../proto/inventory/v1/inventory.proto', import.meta.url),
    'bazaar.inventory.v1.Inventory',
  );

type Methods = 'Reserve' | 'Commit' | 'Release' | 'ReserveMany' | 'CommitMany';

export function reservationHandlers(deps: { db: Db }): Record<Methods, Handler> {
  const { db } = deps;
  return {
    Reserve: (req: ReserveMessage): Promise<ReservationMessage> => reserveStock(db, checkMessage(ReserveBody, req)),
    Commit: (req: OrderRefMessage): Promise<ReservationStatusMessage> =>
      commitReservation(db, checkMessage<OrderRefMessage>(OrderIdParams, req).orderId),
    Release: (req: OrderRefMessage): Promise<ReservationStatusMessage> =>
      releaseReservation(db, checkMessage<OrderRefMessage>(OrderIdParams, req).orderId),
    async ReserveMany(req: ReserveManyMessage): Promise<{ outcomes: ReserveOutcomeMessage[] }> {
      // Each order meets Reserve's schema on its own: a bad one is refused, the others go ahead.
      const checked = batchOf(req.orders).map((o) => attempt(() => checkMessage<ReserveMessage>(ReserveBody, o)));
      const answers = await servePassing(checked, (orders) => reserveStockBatch(db, orders));
      return { outcomes: answers.map((o) => outcomeMessage(o, 'reservation')) };
    },
    async CommitMany(req: OrderRefsMessage): Promise<{ outcomes: CommitOutcomeMessage[] }> {
      const checked = batchOf(req.orderIds).map((orderId) =>
        attempt(() => checkMessage<OrderRefMessage>(OrderIdParams, { orderId }).orderId),
      );
      const answers = await servePassing(checked, (orderIds) => commitReservations(db, orderIds));
      return { outcomes: answers.map((o) => outcomeMessage(o, 'committed')) };
    },
  };
}
