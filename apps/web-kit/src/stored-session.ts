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
 * storedSession reads and writes one app's session under `key`; `isShaped` checks the app's own fields, since
 * storage is user-editable and may hold an older shape.
 */
export function storedSession<S extends TokenSession>(key: string, isShaped: (stored: Partial<S>) => boolean) {
  /** load answers the stored session while its token has more than a few seconds left. */
  function load(storage: Store | undefined, now = Date.now()): S | null {
    try {
      const raw = storage?.getItem(key);
      if (!raw) return null;
      const s = JSON.parse(raw) as Partial<S> | null;
      if (typeof s?.token !== 'string' || typeof s.expiresAt !== 'number' || !isShaped(s)) return null;
      return s.expiresAt - now > 5_000 ? (s as S) : null;
    } catch {
      return null;
    }
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
