// Access tokens are signed with an ES256 key pair kept in the users database; the public halves form the JWKS.
import { randomUUID } from 'node:crypto';
import type { Db } from '@bazaar/kit/database';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { tokenClaims } from '../contracts.ts';

export type Signer = {
  sign(claims: { sub: string; role: string }, ttlSeconds: number): Promise<string>;
  jwks(): { keys: JWK[] };
};

/** loadSigner reads the active key, creating the first one on a new database. */
export async function loadSigner(db: Db, issuer: string, audience: string): Promise<Signer> {
  let rows = await db.query('SELECT kid, private_jwk, public_jwk, retired_at FROM signing_keys ORDER BY created_at');
  if (!rows.some((r) => !r.retired_at)) {
    const { privateKey, publicKey } = await generateKeyPair(tokenClaims.algorithm, { extractable: true });
    const kid = randomUUID();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: tokenClaims.algorithm, use: 'sig' };
    await db.query(
      'INSERT INTO signing_keys (kid, private_jwk, public_jwk) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [kid, JSON.stringify(await exportJWK(privateKey)), JSON.stringify(publicJwk)],
    );
    rows = await db.query('SELECT kid, private_jwk, public_jwk, retired_at FROM signing_keys ORDER BY created_at');
  }
  const active = rows.filter((r) => !r.retired_at).at(-1)!;
  const key = await importJWK(active.private_jwk, tokenClaims.algorithm);
  // Retired keys stay published so tokens they signed verify until they expire.
  const keys = rows.map((r) => r.public_jwk as JWK);
  return {
    sign: ({ sub, role }, ttlSeconds) =>
      new SignJWT({ role })
        .setProtectedHeader({ alg: tokenClaims.algorithm, kid: active.kid, typ: 'JWT' })
        .setSubject(sub)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setNotBefore('0s')
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key),
    jwks: () => ({ keys }),
  };
}
