// The users service's public keys, fetched once and kept; an unknown key id triggers a refetch, at most once a cooldown.
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

/** KeysUnavailable: no keys could be fetched yet, so no token can be judged right now. */
export class KeysUnavailable extends Error {}

export type KeyOptions = {
  /** Shortest time between two refetches caused by unknown key ids (a token with a made-up kid costs nothing). */
  cooldownMs?: number;
  /** Keys older than this are refetched in the background of the next verification. */
  maxAgeMs?: number;
  /** After a failed fetch, tokens are refused at once for this long instead of waiting on a down service again. */
  retryMs?: number;
  now?: () => number;
};

export function remoteKeys(fetchJwks: () => Promise<JSONWebKeySet>, options: KeyOptions = {}): JWTVerifyGetKey {
  const { cooldownMs = 30_000, maxAgeMs = 600_000, retryMs = 1_000, now = Date.now } = options;
  let local: ReturnType<typeof createLocalJWKSet> | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let inflight: Promise<void> | undefined;

  const refresh = () => {
    if (!inflight) {
      attemptedAt = now();
      inflight = fetchJwks()
        .then((jwks) => {
          local = createLocalJWKSet(jwks);
          fetchedAt = now();
        })
        .catch(() => {})
        .finally(() => {
          inflight = undefined;
        });
    }
    return inflight;
  };

  return async (header, token) => {
    if (!local) {
      if (!inflight && now() - attemptedAt < retryMs) throw new KeysUnavailable('verification keys are unavailable');
      await refresh();
      if (!local) throw new KeysUnavailable('verification keys are unavailable');
    } else if (now() - fetchedAt > maxAgeMs && now() - attemptedAt > retryMs) {
      void refresh();
    }
    try {
      return await local(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey) || now() - attemptedAt < cooldownMs) throw err;
      await refresh();
      return local(header, token);
    }
  };
}
