// Forgets failed-login counters once their window and lock are over, so that a flood of logins to many emails does
// not leave a row for each behind: a sweep, off the login path.
import type { Db } from '@bazaar/kit/database';
import { type Sweep, startSweep } from '@bazaar/kit/service';
import type { Logger } from '@bazaar/kit/telemetry';
import type { UsersConfig } from '../config.ts';
import { loginFailuresRepo } from '../data/login-failures-repo.ts';

export function startForgettingLoginFailures(db: Db, config: UsersConfig, log: Logger): Sweep {
  return startSweep(
    config.loginFailuresSweepMs,
    async () => {
      const forgotten = await loginFailuresRepo.forgetStale(db, config.lockoutSeconds);
      if (forgotten > 0) log.debug({ forgotten }, 'stale failed-login counters deleted');
    },
    log,
    'deleting stale failed-login counters failed; the next sweep retries',
  );
}
