// The inventory API's schemas: they validate at the edge and document the OpenAPI.
import { listQuery, Money } from '@bazaar/kit/server';
import { Type } from 'typebox';
import { SKU_PATTERN } from '../contracts.ts';
import { MAX_QUANTITY } from '../domain/product.ts';

export const Sku = Type.String({
  pattern: SKU_PATTERN,
  description: 'Upper-case letters, digits and hyphens, 2..40 characters: LAWN-001',
});
const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });

/** A price must be positive: Money with amount >= 1 paisa (and below Rs 10 crore). */
const Price = Type.Object(
  {
    amount: Type.Integer({ minimum: 1, maximum: 10_000_000_000, description: 'Integer paisa: Rs 1,499.00 is 149900' }),
    currency: Type.Literal('PKR'),
  },
  { additionalProperties: false },
);

export const ProductSchema = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  description: Type.String(),
  price: Money,
  available: Type.Integer({ description: 'On hand minus reserved' }),
});

export const StockLevelSchema = Type.Object({
  sku: Type.String(),
  onHand: Type.Integer(),
  reserved: Type.Integer(),
  available: Type.Integer(),
  sold: Type.Integer({ description: 'Committed by orders and not released' }),
  initial: Type.Integer({ description: 'Quantity at creation' }),
  adjustments: Type.Integer({ description: 'Sum of all adjustment deltas' }),
});

export const ProductQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        maxLength: 100,
        description:
          'Words to find: a product matches when each (up to 8) appears in its sku, name or description, any case; a plural finds its singular',
      }),
    ),
    ...listQuery.properties,
  },
  { additionalProperties: true },
);

const ONE_SKU = SKU_PATTERN.slice(1, -1);
export const StockQuery = Type.Object(
  {
    sku: Type.Optional(
      Type.String({
        pattern: `^${ONE_SKU}(,${ONE_SKU}){0,99}$`,
        description: 'Only these skus, comma-separated (up to 100): LAWN-001,TEA-001',
      }),
    ),
    ...listQuery.properties,
  },
  { additionalProperties: true },
);

export const SkuParams = Type.Object({ sku: Type.String({ minLength: 1, maxLength: 100 }) });

export const NewProductBody = Type.Object(
  {
    sku: Sku,
    name: Name,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    price: Price,
    quantity: Type.Integer({ minimum: 0, maximum: MAX_QUANTITY }),
  },
  { additionalProperties: false },
);

export const ProductEditBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    price: Type.Optional(Price),
  },
  { additionalProperties: false, minProperties: 1, description: 'The fields to change, at least one' },
);

export const AdjustmentBody = Type.Object(
  {
    delta: Type.Integer({
      minimum: -MAX_QUANTITY,
      maximum: MAX_QUANTITY,
      not: { const: 0 },
      description: 'Non-zero change of stock on hand',
    }),
    reason: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
  },
  { additionalProperties: false },
);

// The internal reservation API (hidden from the public OpenAPI).
const OrderId = Type.String({ minLength: 1, maxLength: 100, pattern: '^[\\w.:-]+$' });

export const OrderIdParams = Type.Object({ orderId: OrderId });

export const ReserveBody = Type.Object(
  {
    orderId: OrderId,
    lines: Type.Array(
      Type.Object(
        {
          sku: Type.String({ minLength: 1, maxLength: 100 }),
          quantity: Type.Integer({ minimum: 1, maximum: MAX_QUANTITY }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
  },
  { additionalProperties: false },
);

export const ReservationSchema = Type.Object({
  orderId: Type.String(),
  status: Type.Union([Type.Literal('RESERVED'), Type.Literal('COMMITTED')]),
  lines: Type.Array(
    Type.Object({ sku: Type.String(), name: Type.String(), quantity: Type.Integer(), unitPrice: Money }),
  ),
});

export const CommitSchema = Type.Object({ orderId: Type.String(), status: Type.Literal('COMMITTED') });
export const ReleaseSchema = Type.Object({ orderId: Type.String(), status: Type.Literal('RELEASED') });
