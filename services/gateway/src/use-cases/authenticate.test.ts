import { createLocalJWKSet } from 'jose';
import { describe, expect, it } from 'vitest';
import { signingKey } from '../test-support.ts';
import { authenticator } from './authenticate.ts';

const claims = { issuer: 'bazaar-users', audience: 'bazaar' };

describe('authenticate', () => {
  it('remembers a verified token, and takes no other token for it, not one that ends as it does', async () => {
    const key = await signingKey('k1');
    const authenticate = authenticator(createLocalJWKSet(key.jwks), claims);
    const token = await key.sign({ sub: 'u-1', role: 'customer' });
    expect(await authenticate(`Bearer ${token}`)).toEqual({ caller: { id: 'u-1', role: 'customer' } });
    // Remembered: answered at once, without a promise.
    expect(authenticate(`Bearer ${token}`)).toEqual({ caller: { id: 'u-1', role: 'customer' } });
    // Another caller's claims under the remembered token's signature: the signature does not match them.
    const [, , signature] = token.split('.');
    const [header, payload] = (await key.sign({ sub: 'admin-1', role: 'admin' })).split('.');
    expect(await authenticate(`Bearer ${header}.${payload}.${signature}`)).toEqual({
      caller: null,
      failure: 'invalid',
    });
    expect(authenticate(`Bearer ${token}`)).toEqual({ caller: { id: 'u-1', role: 'customer' } });
  });

  it('forgets a remembered token once it expires', async () => {
    const key = await signingKey('k1');
    let now = Date.now();
    const authenticate = authenticator(createLocalJWKSet(key.jwks), claims, { now: () => now });
    const token = await key.sign({ sub: 'u-1', role: 'customer' }, { exp: '1h' });
    expect(await authenticate(`Bearer ${token}`)).toMatchObject({ caller: { id: 'u-1' } });
    now += 2 * 3600_000;
    expect(authenticate(`Bearer ${token}`)).toEqual({ caller: null, failure: 'invalid' });
  });
});
