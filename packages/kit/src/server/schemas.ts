// Schemas shared by every public API: money in paisa, cursor paging, the problem document.
import { type Static, type TSchema, Type } from 'typebox';

export const Money = Type.Object(
  {
    amount: Type.Integer({ minimum: 0, description: 'Integer paisa: Rs 1,499.00 is 149900' }),
    currency: Type.Literal('PKR'),
  },
  { additionalProperties: false, $id: undefined },
);
export type Money = Static<typeof Money>;
export const money = (amount: number): Money => ({ amount, currency: 'PKR' });

export const listQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: true },
);
export type ListQuery = { limit: number; cursor?: string };

export const page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const problemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    traceId: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { additionalProperties: true },
);

/** problemAnswer declares a route's refusal in its response schema; the description names the code for the docs. */
export const problemAnswer = (description: string): typeof problemSchema =>
  ({ ...problemSchema, description }) as typeof problemSchema;
