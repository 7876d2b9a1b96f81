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

describe('the console session', () => {
  it('is kept until its token is about to expire', () => {
    const store = memory();
    const session = { token: 't', expiresAt: 100_000, name: 'Admin', email: 'a@b.pk' };
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
});
