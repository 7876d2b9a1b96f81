// The orders API's schemas: they validate at the edge and document the OpenAPI.
import { SKU_PATTERN } from '@bazaar/inventory/contracts';
import { Money } from '@bazaar/kit/server';
import { Type } from 'typebox';
import { MAX_LINE_QUANTITY } from '../domain/order.ts';

const Phone = Type.String({ pattern: '^03\\d{9}$', description: 'Pakistani mobile number, 03XXXXXXXXX' });
const Cnic = Type.String({
  pattern: '^[0-9]{6}$',
  description:
    "Optional, JazzCash only (400 otherwise): the last six digits of the customer's CNIC, sent to JazzCash with the " +
    'wallet debit (MWALLET version 2.0). Kept with the order for its payment, never shown in an Order answer.',
});

export const PlaceOrderBody = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          sku: Type.String({ pattern: SKU_PATTERN, description: 'A product sku, as the catalogue shows it: LAWN-001' }),
          quantity: Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
    payment: Type.Object(
      {
        method: Type.Union([Type.Literal('jazzcash'), Type.Literal('easypaisa'), Type.Literal('cod')]),
        wallet: Type.Optional(Phone),
        cnic: Type.Optional(Cnic),
      },
      { additionalProperties: false },
    ),
    shipping: Type.Object(
      {
        city: Type.String({ minLength: 1, maxLength: 60, pattern: '\\S' }),
        address: Type.String({ minLength: 1, maxLength: 300, pattern: '\\S' }),
        phone: Phone,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
});

const STATUSES = ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'];

export const OrderSchema = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  status: Type.String({ enum: STATUSES }),
  items: Type.Array(
    Type.Object({ sku: Type.String(), name: Type.String(), quantity: Type.Integer(), unitPrice: Money }),
  ),
  subtotal: Money,
  shippingFee: Money,
  total: Money,
  payment: Type.Object({ method: Type.String(), status: Type.String(), reference: Type.Optional(Type.String()) }),
  shipping: Type.Object({
    city: Type.String(),
    address: Type.String(),
    phone: Type.String(),
    courier: Type.Optional(Type.String()),
    trackingNumber: Type.Optional(Type.String()),
    status: Type.Optional(Type.String()),
  }),
  rejectionReason: Type.Optional(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const OrderParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const ListOrdersQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  userId: Type.Optional(Type.String({ maxLength: 100 })),
  status: Type.Optional(Type.String({ enum: STATUSES, description: 'Only the orders in this status' })),
});
