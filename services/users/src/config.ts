// The users service's settings, read once from the environment.
import { int, optional, readConfig, str } from '@bazaar/kit/config';

export const spec = {
  port: int('USERS_PORT', 'Port of the users service', 8081),
  host: str('USERS_HOST', 'Interface the users service listens on', '127.0.0.1'),
  adminEmail: optional('BAZAAR_ADMIN_EMAIL', 'Email of the admin account ensured at start-up'),
  adminPassword: optional('BAZAAR_ADMIN_PASSWORD', 'Password of the admin account ensured at start-up'),
  tokenTtlSeconds: int('TOKEN_TTL_SECONDS', 'Lifetime of an access token', 3600),
  issuer: str('JWT_ISSUER', 'The iss claim of issued tokens', 'bazaar-users'),
  audience: str('JWT_AUDIENCE', 'The aud claim of issued tokens', 'bazaar'),
  maxLoginFailures: int('LOGIN_MAX_FAILURES', 'Failed logins for one account before it is locked for a while', 5),
  lockoutSeconds: int('LOGIN_LOCKOUT_SECONDS', 'How long an account stays locked after too many failed logins', 300),
  loginFailuresSweepMs: int(
    'LOGIN_FAILURES_SWEEP_MS',
    'How often failed-login counters whose window and lock are over are deleted',
    60_000,
  ),
};

export type UsersConfig = ReturnType<typeof readConfig<typeof spec>>;
export const loadConfig = (overrides: Partial<UsersConfig> = {}) => readConfig(spec, process.env, overrides);
