// session: the signed-in user and their access token, kept in localStorage until the token expires.
import { storedSession } from '@bazaar/web-kit/stored-session';
import type { User } from './api.ts';

export const SESSION_KEY = 'bazaar.session.v1';
export type Session = { token: string; expiresAt: number; user: User };

const stored = storedSession<Session>(SESSION_KEY, (s) => typeof s.user?.id === 'string');
export const loadSession = stored.load;
export const saveSession = stored.save;
