// Log-in: check the password against its hash in the client's turn at the hashing gate, lock the account after
// repeated failures, issue a signed token.
import type { Db } from '@bazaar/kit/database';
import type { Logger } from '@bazaar/kit/telemetry';
import type { UsersConfig } from '../config.ts';
import { loginFailuresRepo } from '../data/login-failures-repo.ts';
import { usersRepo } from '../data/users-repo.ts';
import type { HashGate } from '../domain/hash-gate.ts';
import { decoyHash, verifyPassword } from '../domain/password.ts';
import { invalidCredentials, lockedOut, normalizeEmail } from '../domain/user.ts';
import type { Signer } from './signing-keys.ts';

export type Token = { accessToken: string; tokenType: 'Bearer'; expiresIn: number };
type Log = Pick<Logger, 'warn'>;

export async function logIn(
  db: Db,
  signer: Signer,
  config: UsersConfig,
  gate: HashGate,
  input: { email: string; password: string; client: string },
  log: Log,
): Promise<Token> {
  const email = normalizeEmail(input.email);
  // The whole check waits its turn at the gate, so an attempt the gate refuses or gives up has counted no try.
  const user = await gate.run(input.client, () => checkPassword(db, config, log, email, input.password));
  await loginFailuresRepo.clear(db, email);
  const accessToken = await signer.sign({ sub: user.id, role: user.role }, config.tokenTtlSeconds);
  return { accessToken, tokenType: 'Bearer', expiresIn: config.tokenTtlSeconds };
}

/** checkPassword answers the account whose password this is, or throws INVALID_CREDENTIALS or RATE_LIMITED. */
async function checkPassword(db: Db, config: UsersConfig, log: Log, email: string, password: string) {
  // Tries are counted per email whether or not an account has it, so a lock-out does not reveal which exist;
  // and before the password is checked, so concurrent guesses cannot outrun it.
  const { tries, lockedFor } = await loginFailuresRepo.claimTry(db, email, config.lockoutSeconds);
  if (lockedFor > 0) throw lockedOut(lockedFor);
  if (tries > config.maxLoginFailures) {
    await lockOut(db, config, log, { email, tries });
    throw lockedOut(config.lockoutSeconds);
  }
  const found = await usersRepo.credentials(db, email);
  // An unknown email costs a hash check too, so timing does not tell either.
  const passwordOk = await verifyPassword(password, found?.passwordHash ?? (await decoyHash));
  if (!found || !passwordOk) {
    if (tries === config.maxLoginFailures)
      await lockOut(db, config, log, { email, tries, accountId: found?.user.id ?? null });
    throw invalidCredentials();
  }
  return found.user;
}

/**
 * Locks the email out and, when this attempt is the one that locked it, tells the operator which account (by id:
 * the email and password stay out of the logs; null when no account has the email).
 */
async function lockOut(
  db: Db,
  config: UsersConfig,
  log: Log,
  attempt: { email: string; tries: number; accountId?: string | null },
): Promise<void> {
  if (!(await loginFailuresRepo.lock(db, attempt.email, config.lockoutSeconds))) return;
  const accountId =
    attempt.accountId !== undefined
      ? attempt.accountId
      : ((await usersRepo.credentials(db, attempt.email))?.user.id ?? null);
  log.warn({ accountId, failures: attempt.tries, lockedForSeconds: config.lockoutSeconds }, 'login locked out');
}
