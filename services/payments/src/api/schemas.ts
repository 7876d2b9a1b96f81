// The payments API's schemas: they validate at the edge and document the OpenAPI.
import { Money } from '@bazaar/kit/server';
import { type TSchema, Type } from 'typebox';

const Id = Type.String({ minLength: 1, maxLength: 128 });
/** MAX_AMOUNT: Rs 1 trillion in paisa, room for the largest order (50 lines of 100 at Rs 100 million, and its fee). */
const MAX_AMOUNT = 100_000_000_000_000;
export const Wallet = Type.String({
  pattern: '^03\\d{9}$',
  description: 'Pakistani mobile wallet number, 03XXXXXXXXX',
});
export const Cnic = Type.String({
  pattern: '^[0-9]{6}$',
  description: "The last six digits of the customer's CNIC, JazzCash only: the debit is sent as MWALLET v2.0",
});
const Method = Type.Union([Type.Literal('jazzcash'), Type.Literal('easypaisa'), Type.Literal('cod')]);
const Status = Type.Enum(['AUTHORIZING', 'AUTHORIZED', 'CAPTURED', 'DECLINED', 'VOIDED', 'REFUNDED']);
const Outcome = Type.Enum(['approved', 'declined', 'timeout', 'unavailable']);
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const OrderIdParams = Type.Object({ orderId: Id });

export const AuthorizeBody = Type.Object(
  {
    orderId: Id,
    userId: Id,
    amount: Type.Integer({ minimum: 1, maximum: MAX_AMOUNT, description: 'Integer paisa' }),
    method: Method,
    wallet: Type.Optional(Wallet),
    cnic: Type.Optional(Cnic),
  },
  { additionalProperties: false },
);

export const AuthorizeAnswer = Type.Object({
  orderId: Type.String(),
  paymentId: Type.String(),
  status: Status,
  outcome: Outcome,
  reference: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
});

export const StatusAnswer = Type.Object({ orderId: Type.String(), status: Status });

export const PaymentRecordSchema = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  userId: Nullable(Type.String()),
  method: Nullable(Method),
  amount: Money,
  status: Status,
  outcome: Nullable(Outcome),
  reason: Nullable(Type.String()),
  reference: Nullable(Type.String()),
  captured: Money,
  refunded: Money,
  attempts: Type.Array(Type.Object({ operation: Type.String(), result: Type.String(), at: Type.String() })),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const PaymentSchema = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  method: Method,
  amount: Money,
  status: Type.Enum(['PENDING', 'AUTHORIZED', 'CAPTURED', 'DECLINED', 'VOIDED', 'REFUNDED']),
  reference: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});

export const PaymentsQuery = Type.Object(
  {
    orderId: Type.Optional(Id),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: true },
);

export const PaymentIdParams = Type.Object({ id: Id });

export const AttemptsQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: true },
);

/** One call made to a provider for a payment, as its audit trail keeps it. */
export const AttemptSchema = Type.Object({
  provider: Type.String({ description: 'jazzcash or easypaisa' }),
  operation: Type.Enum(['authorize', 'inquire', 'reverse']),
  txnRef: Type.String({ description: 'The transaction reference the provider knows the payment by' }),
  result: Type.String({
    description:
      'authorize: approved, declined, timeout or unavailable; inquire: what the provider holds; reverse: its outcome; a request sent again after it failed: server_error or connection',
  }),
  detail: Type.Optional(Type.String({ description: "A decline's code and message, as the provider gave them" })),
  startedAt: Type.Optional(
    Type.String({
      format: 'date-time',
      description:
        'When the call was sent; absent on calls recorded before calls were timed, and on an outcome read from an inquiry',
    }),
  ),
  durationMs: Type.Optional(Type.Integer({ minimum: 0, description: 'How long the provider took to answer (or not)' })),
  at: Type.String({ format: 'date-time', description: 'When the call was recorded, after it ended' }),
});

export const ProviderParams = Type.Object({ provider: Type.String({ minLength: 1, maxLength: 40 }) });

/**
 * A callback is a flat set of fields, JSON or form-encoded; the signature is checked over their text. Any other body
 * is not a signed callback: 401 BAD_SIGNATURE like a bad signature, not 400 (the route checks it against this).
 */
export const CallbackBody = Type.Record(
  Type.String({ maxLength: 100 }),
  Type.Union([Type.String({ maxLength: 2000 }), Type.Number(), Type.Boolean()]),
  { maxProperties: 100 },
);

export const CallbackAnswer = Type.Object({ received: Type.Literal(true) });

const Entry = Type.Object({
  id: Type.Integer(),
  paymentId: Type.String(),
  orderId: Type.String(),
  kind: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lines: Type.Array(Type.Object({ account: Type.String(), debit: Type.Integer(), credit: Type.Integer() })),
});

export const LedgerQuery = Type.Object(
  { orderId: Type.Optional(Id), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }) },
  { additionalProperties: true },
);
export const LedgerAnswer = Type.Object({ items: Type.Array(Entry) });

/** The summary's page: the newest payments first, up to 20,000 of them (the most, and the default), then nextCursor. */
export const SummaryQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 20_000, default: 20_000 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: true },
);

export const SummaryAnswer = Type.Object({
  byOrder: Type.Array(
    Type.Object({
      orderId: Type.String(),
      method: Nullable(Method),
      status: Status,
      amount: Type.Integer(),
      captured: Type.Integer(),
      refunded: Type.Integer(),
      held: Type.Integer(),
    }),
  ),
  truncated: Type.Boolean({ description: 'More payments follow: read the next page with nextCursor' }),
  nextCursor: Nullable(Type.String()),
  ledger: Type.Object({
    balanced: Type.Boolean(),
    entries: Type.Integer(),
    accounts: Type.Array(
      Type.Object({ account: Type.String(), debit: Type.Integer(), credit: Type.Integer(), balance: Type.Integer() }),
    ),
    problems: Type.Array(Type.String()),
  }),
});
