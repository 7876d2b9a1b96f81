// Access tokens are signed with an ES256 key pair kept in the users database; the public halves form the JWKS.
import { randomUUID } from 'node:crypto';
import type { Db } from '@bazaar/kit/database';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { tokenClaims } from '../contracts.ts';
import { signingKeysRepo } from '../data/signing-keys-repo.ts';

export type Signer = {
  sign(claims: { sub: string; role: string }, ttlSeconds: number): Promise<string>;
  jwks(): { keys: JWK[] };
};

/** loadSigner reads the active key, creating the first one on a new database (a replica's at once: one is kept). */
export async function loadSigner(db: Db, issuer: string, audience: string): Promise<Signer> {
  let keys = await signingKeysRepo.all(db);
  if (!keys.some((k) => !k.retired)) {
    const { privateKey, publicKey } = await generateKeyPair(tokenClaims.algorithm, { extractable: true });
    const kid = randomUUID();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: tokenClaims.algorithm, use: 'sig' };
    await signingKeysRepo.insert(db, { kid, privateJwk: await exportJWK(privateKey), publicJwk });
    keys = await signingKeysRepo.all(db);
  }
  const active = keys.filter((k) => !k.retired).at(-1)!;
  const key = await importJWK(active.privateJwk, tokenClaims.algorithm);
  // Retired keys stay published so tokens they signed verify until they expire.
  const published = keys.map((k) => k.publicJwk);
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
    jwks: () => ({ keys: published }),
  };
}
