// Authentication: a bearer token names a caller once its ES256 signature and claims check out; verified tokens
// are remembered until they expire, so a client's later requests cost one map lookup, not a signature check.
import type { Caller } from '@bazaar/kit/server';
import { type JWTVerifyGetKey, jwtVerify } from 'jose';
import { KeysUnavailable } from '../clients/jwks.ts';

/** Identity: who called; a failure says why a presented token did not count ('unavailable': keys could not be had). */
export type Identity = { caller: Caller; failure?: undefined } | { caller: null; failure?: 'invalid' | 'unavailable' };

/** Authenticate reads the Authorization header; it answers at once for no token and for tokens seen before. */
export type Authenticate = (authorization: string | undefined) => Identity | Promise<Identity>;

const anonymous: Identity = { caller: null };
const invalid: Identity = { caller: null, failure: 'invalid' };
const unavailable: Identity = { caller: null, failure: 'unavailable' };

export function authenticator(
  keys: JWTVerifyGetKey,
  claims: { issuer: string; audience: string },
  options: { cacheSize?: number; now?: () => number } = {},
): Authenticate {
  const { cacheSize = 10_000, now = Date.now } = options;
  // Keyed by the token's last characters, its signature's: hashing the whole token (hundreds of characters, on
  // every request) cost more than the rest of the check. The entry holds the whole token, which must be the same.
  const verified = new Map<string, { token: string; identity: Identity; expiresAt: number }>();

  async function verify(token: string): Promise<Identity> {
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: claims.issuer,
        audience: claims.audience,
        algorithms: ['ES256'],
        requiredClaims: ['exp', 'sub'],
      });
      const { sub, role, exp } = payload;
      if (!sub || (role !== 'customer' && role !== 'admin') || typeof exp !== 'number') return invalid;
      const identity: Identity = { caller: { id: sub, role } };
      // Oldest first out: a Map iterates in insertion order.
      if (verified.size >= cacheSize) verified.delete(verified.keys().next().value!);
      verified.set(keyOf(token), { token, identity, expiresAt: exp * 1000 });
      return identity;
    } catch (err) {
      return err instanceof KeysUnavailable ? unavailable : invalid;
    }
  }

  return (authorization) => {
    if (authorization === undefined) return anonymous;
    const token = bearerToken(authorization);
    if (token === undefined) return invalid;
    const key = keyOf(token);
    const known = verified.get(key);
    if (known === undefined || known.token !== token) return verify(token);
    if (known.expiresAt > now()) return known.identity;
    verified.delete(key);
    return invalid;
  };
}

// Sixteen characters of an ES256 signature are 96 random bits: two tokens that share them share nothing else.
const KEY_CHARS = 16;
/** keyOf: a token's key in the cache of verified ones, the end of its signature (a JWT's third part). */
const keyOf = (token: string) => token.slice(-KEY_CHARS);

function bearerToken(authorization: string): string | undefined {
  if (authorization.length < 8 || authorization.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const token = authorization.slice(7).trim();
  return token.length > 0 && token.length <= 8192 ? token : undefined;
}
