// session: the signed-in user and their access token, kept in localStorage until the token expires.
import type { User } from './api.ts';

export const SESSION_KEY = 'bazaar.session.v1';
export type Session = { token: string; expiresAt: number; user: User };

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** loadSession answers the stored session while its token has more than a few seconds left. */
export function loadSession(storage: Store | undefined, now = Date.now()): Session | null {
  try {
    const raw = storage?.getItem(SESSION_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (typeof s?.token !== 'string' || typeof s.expiresAt !== 'number' || typeof s.user?.id !== 'string') return null;
    return s.expiresAt - now > 5_000 ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(storage: Store | undefined, session: Session | null): void {
  try {
    if (session) storage?.setItem(SESSION_KEY, JSON.stringify(session));
    else storage?.removeItem(SESSION_KEY);
  } catch {
    // Without storage the session lasts as long as the page.
  }
}
