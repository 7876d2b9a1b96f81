// stored-session: a signed-in session kept in browser storage under one key until its token is about to expire.

export type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
export type TokenSession = { token: string; expiresAt: number };

/** browserStorage answers window.localStorage or sessionStorage, or undefined where the browser refuses it. */
export function browserStorage(kind: 'localStorage' | 'sessionStorage'): Store | undefined {
  try {
    return window[kind];
  } catch {
    return undefined;
  }
}

/**
 * tokenExpiry answers when a JWT expires by its own `exp` claim (milliseconds since the epoch), or null when the
 * token is not a JWT whose payload decodes to JSON with a numeric `exp`. It reads the claim only: the gateway is
 * still the one that checks the signature.
 */
export function tokenExpiry(token: string): number | null {
  const parts = token.split('.');
  if (parts.length !== 3 || !/^[A-Za-z0-9_-]+$/.test(parts[1])) return null;
  try {
    const binary = atob(parts[1].replaceAll('-', '+').replaceAll('_', '/'));
    const json = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    const exp = (JSON.parse(json) as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * storedSession reads and writes one app's session under `key`; `isShaped` checks the app's own fields, since
 * storage is user-editable and may hold an older shape. What is not a usable session is forgotten when read. The
 * token is the users service's JWT: one that cannot be decoded is no session, and the earlier of its own `exp` and
 * `expiresAt` ends it.
 */
export function storedSession<S extends TokenSession>(key: string, isShaped: (stored: Partial<S>) => boolean) {
  /** usableUntil answers when a stored value stops being a session, or null when it never was one. */
  function usableUntil(s: Partial<S> | null): number | null {
    if (typeof s?.token !== 'string' || typeof s.expiresAt !== 'number' || !isShaped(s)) return null;
    const exp = tokenExpiry(s.token);
    return exp === null ? null : Math.min(exp, s.expiresAt);
  }

  /** load answers the stored session while its token has more than a few seconds left, and forgets any other. */
  function load(storage: Store | undefined, now = Date.now()): S | null {
    let raw: string | null | undefined;
    try {
      raw = storage?.getItem(key);
      if (!raw) return null;
      const s = JSON.parse(raw) as Partial<S> | null;
      const until = usableUntil(s);
      if (until !== null && until - now > 5_000) return s as S;
    } catch {
      // Not JSON: forgotten below, like any other value that is not a usable session.
    }
    if (raw) save(storage, null);
    return null;
  }

  function save(storage: Store | undefined, session: S | null): void {
    try {
      if (session) storage?.setItem(key, JSON.stringify(session));
      else storage?.removeItem(key);
    } catch {
      // Without storage the session lasts as long as the page.
    }
  }

  return { load, save };
}
