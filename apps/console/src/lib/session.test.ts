import { describe, expect, it } from 'vitest';
import { loadSession, SESSION_KEY, saveSession } from './session.ts';

function memory() {
  const data = new Map<string, string>();
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

/** A JWT-shaped token whose payload expires at `exp` seconds; the console does not check its signature. */
const jwt = (exp: number) => `e30.${btoa(JSON.stringify({ exp })).replaceAll('=', '')}.c2ln`;

describe('the console session', () => {
  it('is kept until its token is about to expire', () => {
    const store = memory();
    const session = { token: jwt(1_000), expiresAt: 100_000, name: 'Admin', email: 'a@b.pk' };
    saveSession(store, session);
    expect(loadSession(store, 0)).toEqual(session);
    expect(loadSession(store, 99_000)).toBeNull();
    saveSession(store, null);
    expect(loadSession(store, 0)).toBeNull();
  });

  it('ignores what is not a session', () => {
    const store = memory();
    store.setItem(SESSION_KEY, '{not json');
    expect(loadSession(store)).toBeNull();
    store.setItem(SESSION_KEY, '{"token":1}');
    expect(loadSession(store)).toBeNull();
  });

  it('is no session when its token does not decode or has expired by its own exp', () => {
    const store = memory();
    saveSession(store, { token: 'garbage', expiresAt: 100_000, name: 'Ghost', email: 'g@b.pk' });
    expect(loadSession(store, 0)).toBeNull();
    saveSession(store, { token: jwt(10), expiresAt: 100_000, name: 'Ghost', email: 'g@b.pk' });
    expect(loadSession(store, 20_000)).toBeNull();
    expect(store.getItem(SESSION_KEY)).toBeNull();
  });
});
