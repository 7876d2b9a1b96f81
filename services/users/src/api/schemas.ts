// The users API's schemas: they validate at the edge and document the OpenAPI.
import { listQuery, Money } from '@bazaar/kit/server';
import { Type } from 'typebox';

export const Phone = Type.String({ pattern: '^03\\d{9}$', description: 'Pakistani mobile number, 03XXXXXXXXX' });
export const City = Type.String({ minLength: 1, maxLength: 60, pattern: '\\S' });
const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });

export const UserSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  email: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
  city: Type.Union([Type.String(), Type.Null()]),
  role: Type.Union([Type.Literal('customer'), Type.Literal('admin')]),
  createdAt: Type.String({ format: 'date-time' }),
});

export const SignUpBody = Type.Object(
  {
    name: Name,
    email: Type.String({ format: 'email', maxLength: 254 }),
    password: Type.String({ minLength: 8, maxLength: 200 }),
    // null is none, as a User shows a phone or city it does not have.
    phone: Type.Optional(Type.Union([Phone, Type.Null()])),
    city: Type.Optional(Type.Union([City, Type.Null()])),
  },
  { additionalProperties: false },
);

export const LoginBody = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const TokenSchema = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer(),
});

/** null clears the phone or the city: both are optional parts of a profile. */
export const ProfilePatch = Type.Object(
  {
    name: Type.Optional(Name),
    phone: Type.Optional(Type.Union([Phone, Type.Null()])),
    city: Type.Optional(Type.Union([City, Type.Null()])),
  },
  { additionalProperties: false },
);

export const HistoryEntrySchema = Type.Object({
  orderId: Type.String(),
  status: Type.String(),
  total: Money,
  itemCount: Type.Integer(),
  trackingNumber: Type.Optional(Type.String()),
  placedAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

/** An entry of the admin's view of every customer's history: whose it is, too. */
export const AnyoneHistoryEntrySchema = Type.Object({ ...HistoryEntrySchema.properties, userId: Type.String() });

const ONE_ID = '[A-Za-z0-9_-]{1,100}';

/** The admin's list of users; `id` picks the ones a screen names (the customers of a page of orders). */
export const UsersQuery = Type.Object(
  {
    id: Type.Optional(
      Type.String({
        pattern: `^${ONE_ID}(,${ONE_ID}){0,99}$`,
        description: 'Only these users, comma-separated (up to 100), in one page; unknown ids are left out',
      }),
    ),
    ...listQuery.properties,
  },
  { additionalProperties: true },
);

/** A public key of the users service (RFC 7517), as /.well-known/jwks.json serves it; never a private part. */
const PublicKey = Type.Object(
  {
    kty: Type.Optional(Type.String({ description: 'EC' })),
    crv: Type.Optional(Type.String({ description: 'P-256' })),
    x: Type.Optional(Type.String()),
    y: Type.Optional(Type.String()),
    kid: Type.Optional(Type.String({ description: "The key id a token's header names" })),
    alg: Type.Optional(Type.String({ description: 'ES256' })),
    use: Type.Optional(Type.String({ description: 'sig' })),
  },
  { additionalProperties: true },
);
export const JwksSchema = Type.Object({ keys: Type.Array(PublicKey) });
