// session: the signed-in user and their access token, kept in localStorage until the token expires.
import { storedSession } from '@bazaar/web-kit/stored-session';
import type { User } from './api.ts';

export const SESSION_KEY = 'bazaar.session.v1';
export type Session = { token: string; expiresAt: number; user: User };

/** The header names the user: a stored user without an id, a name and a role is not a session. */
const isShaped = ({ user }: Partial<Session>) =>
  typeof user?.id === 'string' &&
  typeof user.name === 'string' &&
  user.name.trim() !== '' &&
  typeof user.role === 'string';

// An undecodable or already expired token is no session at once, rather than a name shown until the API answers 401.
const stored = storedSession<Session>(SESSION_KEY, isShaped);
export const loadSession = stored.load;
export const saveSession = stored.save;
