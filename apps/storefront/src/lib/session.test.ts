import { tokenExpiry } from '@bazaar/web-kit/stored-session';
import { describe, expect, it } from 'vitest';
import { loadSession, SESSION_KEY, saveSession } from './session.ts';

const user = { id: 'usr_1', name: 'Ayesha Khan', email: 'a@x.pk', phone: null, city: null, role: 'customer' as const };

const base64url = (text: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replaceAll('=', '');
/** A token shaped like the users service's: header.payload.signature, the payload's `exp` in seconds. */
const jwt = (payload: object) => `${base64url('{"alg":"ES256"}')}.${base64url(JSON.stringify(payload))}.c2ln`;

function memory() {
  const data = new Map<string, string>();
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
    data,
  };
}

describe('the stored session', () => {
  it('is kept until the earlier of its expiresAt and its token’s exp, then forgotten', () => {
    const s = memory();
    saveSession(s, { token: jwt({ sub: 'usr_1', exp: 200 }), expiresAt: 100_000, user });
    expect(loadSession(s, 50_000)?.user.name).toBe('Ayesha Khan');
    expect(loadSession(s, 99_000)).toBeNull();
    expect(s.data.has(SESSION_KEY)).toBe(false);

    saveSession(s, { token: jwt({ sub: 'usr_1', exp: 60 }), expiresAt: 100_000, user });
    expect(loadSession(s, 50_000)).not.toBeNull();
    expect(loadSession(s, 56_000)).toBeNull();
    expect(s.data.has(SESSION_KEY)).toBe(false);
  });

  it('is no session, and is forgotten at once, when its token is already expired by its exp', () => {
    const s = memory();
    saveSession(s, { token: jwt({ sub: 'usr_1', exp: 1 }), expiresAt: 10_000_000, user });
    expect(loadSession(s, 50_000)).toBeNull();
    expect(s.data.has(SESSION_KEY)).toBe(false);
  });

  it.each([
    ['garbage', 'garbage'],
    ['three parts that are not base64url JSON', 'a.b.c'],
    ['a payload that is not base64url', 'eyJ.!!!.sig'],
    ['a payload without exp', jwt({ sub: 'usr_1' })],
    ['an exp that is not a number', jwt({ sub: 'usr_1', exp: '9999999999' })],
    ['an empty token', ''],
  ])('is no session, and is forgotten at once, when its token is %s', (_name, token) => {
    const s = memory();
    saveSession(s, { token, expiresAt: 10_000_000, user });
    expect(loadSession(s, 0)).toBeNull();
    expect(s.data.has(SESSION_KEY)).toBe(false);
  });

  it.each([
    ['has no name', { id: 'usr_1', role: 'customer' }],
    ['has a blank name', { ...user, name: '  ' }],
    ['has no role', { id: 'usr_1', name: 'Ghost' }],
    ['is missing', undefined],
  ])('is no session, and is forgotten, when its user %s', (_name, stored) => {
    const s = memory();
    s.setItem(SESSION_KEY, JSON.stringify({ token: jwt({ exp: 9_999_999_999 }), expiresAt: 10_000_000, user: stored }));
    expect(loadSession(s, 0)).toBeNull();
    expect(s.data.has(SESSION_KEY)).toBe(false);
  });

  it('forgets what is not JSON, and leaves an empty storage alone', () => {
    const s = memory();
    s.setItem(SESSION_KEY, '{not json');
    expect(loadSession(s)).toBeNull();
    expect(s.data.has(SESSION_KEY)).toBe(false);
    expect(loadSession(s)).toBeNull();
    expect(loadSession(undefined)).toBeNull();
  });
});

describe('tokenExpiry', () => {
  it('reads exp from a base64url payload without padding, whatever else the payload holds', () => {
    expect(tokenExpiry(jwt({ sub: 'usr_1', role: 'customer', exp: 1_800_000_000 }))).toBe(1_800_000_000_000);
    // Non-ASCII text, and bytes that base64url writes as - and _.
    expect(tokenExpiry(jwt({ name: 'عائشہ ~~~???>>>', exp: 5 }))).toBe(5_000);
  });

  it('answers null for what is not a JWT with a numeric exp', () => {
    for (const token of ['', 'x', 'a.b', 'a.b.c', 'a..c', `a.${base64url('null')}.c`, `a.${base64url('[1]')}.c`])
      expect(tokenExpiry(token), token).toBeNull();
    expect(tokenExpiry(`a.${base64url('{"exp":1e999}')}.c`)).toBeNull();
  });
});
