// session: the admin's access token, kept in sessionStorage (this tab only) until it expires or they log out.
import { storedSession } from '@bazaar/web-kit/stored-session';

export const SESSION_KEY = 'bazaar.console.session.v1';
export type Session = { token: string; expiresAt: number; name: string; email: string };

// An undecodable or already expired token is no session at once, rather than a name shown until /api/ops answers 401.
const stored = storedSession<Session>(SESSION_KEY, (s) => typeof s.email === 'string');
export const loadSession = stored.load;
export const saveSession = stored.save;
