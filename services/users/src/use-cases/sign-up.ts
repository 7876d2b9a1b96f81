// Sign-up: hash the password in the client's turn at the hashing gate, then store the user and announce
// UserRegistered in the same transaction.
import { randomUUID } from 'node:crypto';
import type { Db } from '@bazaar/kit/database';
import { enqueue } from '@bazaar/kit/messaging';
import type { Logger } from '@bazaar/kit/telemetry';
import { UserRegistered, type UserRegisteredData } from '../contracts.ts';
import { usersRepo } from '../data/users-repo.ts';
import type { HashGate } from '../domain/hash-gate.ts';
import { hashPassword } from '../domain/password.ts';
import { emailTaken, normalizeEmail, type User } from '../domain/user.ts';

/** A sign-up, and the client address whose turn at the hashing gate its hash waits for. */
export type SignUp = {
  name: string;
  email: string;
  password: string;
  phone?: string | null;
  city?: string | null;
  client: string;
};

export async function signUp(db: Db, gate: HashGate, input: SignUp, log: Pick<Logger, 'info'>): Promise<User> {
  const passwordHash = await gate.run(input.client, () => hashPassword(input.password));
  const user = await db.transaction(async (tx) => {
    const user = await usersRepo.insert(tx, {
      id: `usr_${randomUUID()}`,
      name: input.name.trim(),
      email: normalizeEmail(input.email),
      passwordHash,
      phone: input.phone ?? undefined,
      city: input.city?.trim(),
      role: 'customer',
    });
    if (!user) throw emailTaken();
    const data: UserRegisteredData = { userId: user.id, email: user.email, name: user.name, city: user.city };
    await enqueue(tx, 'users', { type: UserRegistered, subject: user.id, data });
    return user;
  });
  log.info({ userId: user.id, city: user.city }, 'user registered');
  return user;
}
