// Log-in: check the password against its hash, lock the account after repeated failures, issue a signed token.
import type { Db } from '@bazaar/kit/database';
import type { UsersConfig } from '../config.ts';
import { loginFailuresRepo } from '../data/login-failures-repo.ts';
import { usersRepo } from '../data/users-repo.ts';
import { decoyHash, verifyPassword } from '../domain/password.ts';
import type { Signer } from '../domain/signing-keys.ts';
import { invalidCredentials, lockedOut, normalizeEmail } from '../domain/user.ts';

export type Token = { accessToken: string; tokenType: 'Bearer'; expiresIn: number };

export async function logIn(
  db: Db,
  signer: Signer,
  config: UsersConfig,
  input: { email: string; password: string },
): Promise<Token> {
  const email = normalizeEmail(input.email);
  const found = await usersRepo.credentials(db, email);
  if (!found) {
    await verifyPassword(input.password, await decoyHash);
    throw invalidCredentials();
  }
  // The try is counted before the password is checked, so concurrent guesses cannot outrun the lock-out.
  const { tries, lockedFor } = await loginFailuresRepo.claimTry(db, email, config.lockoutSeconds);
  if (lockedFor > 0) throw lockedOut(lockedFor);
  if (tries > config.maxLoginFailures) {
    await loginFailuresRepo.lock(db, email, config.lockoutSeconds);
    throw lockedOut(config.lockoutSeconds);
  }
  if (!(await verifyPassword(input.password, found.passwordHash))) {
    if (tries === config.maxLoginFailures) await loginFailuresRepo.lock(db, email, config.lockoutSeconds);
    throw invalidCredentials();
  }
  await loginFailuresRepo.clear(db, email);
  const accessToken = await signer.sign({ sub: found.user.id, role: found.user.role }, config.tokenTtlSeconds);
  return { accessToken, tokenType: 'Bearer', expiresIn: config.tokenTtlSeconds };
}
