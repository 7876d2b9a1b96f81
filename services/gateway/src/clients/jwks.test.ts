import { errors, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { signingKey } from '../test-support.ts';
import { KeysUnavailable, remoteKeys } from './jwks.ts';

describe('the key cache', () => {
  it('fetches once, refetches for an unknown key id at most once a cooldown, and picks up a rotated key', async () => {
    const first = await signingKey('k1');
    const second = await signingKey('k2');
    let served = first.jwks;
    let fetches = 0;
    let now = 0;
    const keys = remoteKeys(
      async () => {
        fetches++;
        return served;
      },
      { cooldownMs: 30_000, now: () => now },
    );
    const verify = (token: string) => jwtVerify(token, keys, { algorithms: ['ES256'] });

    await verify(await first.sign({ sub: 'a' }));
    await verify(await first.sign({ sub: 'b' }));
    expect(fetches).toBe(1);

    served = { keys: [first.publicJwk, second.publicJwk] };
    const rotated = await second.sign({ sub: 'c' });
    await expect(verify(rotated)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey); // within the cooldown
    expect(fetches).toBe(1);
    now += 31_000;
    await verify(rotated);
    expect(fetches).toBe(2);
    await expect(verify(await (await signingKey('k3')).sign({ sub: 'd' }))).rejects.toBeInstanceOf(
      errors.JWKSNoMatchingKey,
    );
    expect(fetches).toBe(2);
  });

  it('reports unavailable keys while the users service is down, without asking it on every request', async () => {
    const key = await signingKey('k1');
    let up = false;
    let fetches = 0;
    let now = 0;
    const keys = remoteKeys(
      async () => {
        fetches++;
        if (!up) throw new Error('down');
        return key.jwks;
      },
      { retryMs: 1_000, now: () => now },
    );
    const token = await key.sign({ sub: 'a' });
    await expect(jwtVerify(token, keys)).rejects.toBeInstanceOf(KeysUnavailable);
    await expect(jwtVerify(token, keys)).rejects.toBeInstanceOf(KeysUnavailable);
    expect(fetches).toBe(1);
    up = true;
    now += 1_500;
    await expect(jwtVerify(token, keys)).resolves.toBeDefined();
    expect(fetches).toBe(2);
  });
});
