// The shipping API's schemas: they validate at the edge and document the OpenAPI.
import { Money } from '@bazaar/kit/server';
import { Type } from 'typebox';

const Status = Type.Union([
  Type.Literal('CREATED'),
  Type.Literal('PICKED_UP'),
  Type.Literal('IN_TRANSIT'),
  Type.Literal('OUT_FOR_DELIVERY'),
  Type.Literal('DELIVERED'),
  Type.Literal('CANCELLED'),
]);
const NullableString = Type.Union([Type.String(), Type.Null()]);
const History = Type.Array(Type.Object({ status: Status, at: Type.String({ format: 'date-time' }) }));

export const TrackingParams = Type.Object({ trackingNumber: Type.String({ minLength: 1, maxLength: 40 }) });
export const OrderParams = Type.Object({ orderId: Type.String({ minLength: 1, maxLength: 100 }) });
export const CityParams = Type.Object({ city: Type.String({ minLength: 1, maxLength: 60 }) });

export const TrackingSchema = Type.Object({
  trackingNumber: Type.String(),
  courier: Type.String(),
  city: Type.String(),
  status: Status,
  history: History,
});

export const ShipmentSchema = Type.Object({
  orderId: Type.String(),
  userId: NullableString,
  trackingNumber: NullableString,
  courier: NullableString,
  city: NullableString,
  status: Status,
  history: History,
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const RateSchema = Type.Object({ city: Type.String(), fee: Money });
export const RatesSchema = Type.Object({ items: Type.Array(RateSchema) });

export const CancelledSchema = Type.Object({ orderId: Type.String(), cancelled: Type.Literal(true) });
