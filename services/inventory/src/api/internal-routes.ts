// The reservation API the orders saga calls: internal (the gateway does not route /internal), idempotent per order id.
import type { Db } from '@bazaar/kit/database';
import type { App } from '@bazaar/kit/server';
import { commitReservation } from '../use-cases/commit-reservation.ts';
import { releaseReservation } from '../use-cases/release-reservation.ts';
import { reserveStock } from '../use-cases/reserve-stock.ts';
import { CommitSchema, OrderIdParams, ReleaseSchema, ReservationSchema, ReserveBody } from './schemas.ts';

export function reservationRoutes(app: App, deps: { db: Db }): void {
  const { db } = deps;
  // The internal key is the credential here: the saga calls with no user behind it.
  const config = { access: 'public' as const };

  app.post(
    '/internal/reservations',
    { config, schema: { hide: true, body: ReserveBody, response: { 200: ReservationSchema } } },
    async (req) => reserveStock(db, req.body),
  );

  app.post(
    '/internal/reservations/:orderId/commit',
    { config, schema: { hide: true, params: OrderIdParams, response: { 200: CommitSchema } } },
    async (req) => commitReservation(db, req.params.orderId),
  );

  app.post(
    '/internal/reservations/:orderId/release',
    { config, schema: { hide: true, params: OrderIdParams, response: { 200: ReleaseSchema } } },
    async (req) => releaseReservation(db, req.params.orderId),
  );
}
