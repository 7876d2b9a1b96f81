// The users service's settings, read once from the environment.
import { availableParallelism } from 'node:os';
import { int, optional, readConfig, str } from '@bazaar/kit/config';

// scrypt runs on libuv's threadpool (UV_THREADPOOL_SIZE, 4 by default): more checks at once than it has threads,
// or than the machine has cores, only makes each one slower.
const threadpool = Number(process.env.UV_THREADPOOL_SIZE) || 4;

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
  hashConcurrency: int(
    'HASH_CONCURRENCY',
    'Password hashes (sign-ups and logins) run at once; the rest wait their turn, taken by client address in rotation',
    Math.min(availableParallelism(), threadpool),
  ),
  hashQueuePerClient: int(
    'HASH_QUEUE_PER_CLIENT',
    'Sign-ups and logins one client address may have waiting or hashing; one more is 429 RATE_LIMITED at once',
    100,
  ),
  hashQueueMaxWaitMs: int(
    'HASH_QUEUE_MAX_WAIT_MS',
    'How long a sign-up or login may wait for its hash before it is answered 503, unhashed (below the gateway timeout)',
    8_000,
  ),
};

export type UsersConfig = ReturnType<typeof readConfig<typeof spec>>;
export const loadConfig = (overrides: Partial<UsersConfig> = {}) => readConfig(spec, process.env, overrides);
