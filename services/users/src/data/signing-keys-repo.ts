// The ES256 key pairs access tokens are signed with, in the users database; a retired key stays for its JWKS entry.
import type { Tx } from '@bazaar/kit/database';
import type { JWK } from 'jose';

export type StoredKey = { kid: string; privateJwk: JWK; publicJwk: JWK; retired: boolean };

export const signingKeysRepo = {
  /** Every key, oldest first. */
  async all(q: Tx): Promise<StoredKey[]> {
    const rows = await q.query('SELECT kid, private_jwk, public_jwk, retired_at FROM signing_keys ORDER BY created_at');
    return rows.map((r) => ({
      kid: r.kid,
      privateJwk: r.private_jwk,
      publicJwk: r.public_jwk,
      retired: !!r.retired_at,
    }));
  },

  /** Adds a key unless its kid is taken. */
  async insert(q: Tx, key: { kid: string; privateJwk: JWK; publicJwk: JWK }): Promise<void> {
    await q.query(
      'INSERT INTO signing_keys (kid, private_jwk, public_jwk) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [key.kid, JSON.stringify(key.privateJwk), JSON.stringify(key.publicJwk)],
    );
  },
};
