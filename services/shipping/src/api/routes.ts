// The shipping service's HTTP surface: public tracking and rates, the admin list, and the internal API for orders.
import type { Db } from '@bazaar/kit/database';
import { type App, listQuery, page } from '@bazaar/kit/server';
import { notCancellable } from '../domain/shipment.ts';
import { cancelShipment } from '../use-cases/cancel-shipment.ts';
import { listRates, rateFor } from '../use-cases/rates.ts';
import { listShipments, shipmentOfOrder, trackShipment } from '../use-cases/track-shipment.ts';
import {
  CancelledSchema,
  CityParams,
  OrderParams,
  RateSchema,
  RatesSchema,
  ShipmentSchema,
  TrackingParams,
  TrackingSchema,
} from './schemas.ts';

export function shippingRoutes(app: App, deps: { db: Db }): void {
  const { db } = deps;
  const tags = ['Shipping'];
  const internal = { config: { access: 'public' as const } };

  app.get(
    '/api/shipments/:trackingNumber',
    {
      config: { access: 'public' },
      schema: { tags, summary: 'Track a shipment', params: TrackingParams, response: { 200: TrackingSchema } },
    },
    async (req) => trackShipment(db, req.params.trackingNumber),
  );

  app.get(
    '/api/shipping/rates',
    { config: { access: 'public' }, schema: { tags, summary: 'Shipping fee by city', response: { 200: RatesSchema } } },
    async () => listRates(db),
  );

  app.get(
    '/api/shipments',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'All shipments with their orders (admin)',
        querystring: listQuery,
        response: { 200: page(ShipmentSchema) },
      },
    },
    async (req) => listShipments(db, req.query.limit, req.query.cursor),
  );

  // Internal, for orders and `bazaar verify`: the gateway routes no /internal/ path, and the internal key guards them.
  app.get(
    '/internal/rates/:city',
    { ...internal, schema: { hide: true, params: CityParams, response: { 200: RateSchema } } },
    async (req) => rateFor(db, req.params.city),
  );

  app.get(
    '/internal/shipments/by-order/:orderId',
    { ...internal, schema: { hide: true, params: OrderParams, response: { 200: ShipmentSchema } } },
    async (req) => shipmentOfOrder(db, req.params.orderId),
  );

  app.post(
    '/internal/shipments/by-order/:orderId/cancel',
    { ...internal, schema: { hide: true, params: OrderParams, response: { 200: CancelledSchema } } },
    async (req) => {
      const { orderId } = req.params;
      const outcome = await db.transaction((tx) => cancelShipment(tx, orderId));
      if (outcome.kind === 'not-cancellable') throw notCancellable(outcome.status);
      return { orderId, cancelled: true as const };
    },
  );
}
