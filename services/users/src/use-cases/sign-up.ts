// Sign-up: hash the password, store the user and announce UserRegistered in the same transaction.
import { randomUUID } from 'node:crypto';
import type { Db } from '@bazaar/kit/database';
import { enqueue } from '@bazaar/kit/messaging';
import type { Logger } from '@bazaar/kit/telemetry';
import { UserRegistered, type UserRegisteredData } from '../contracts.ts';
import { usersRepo } from '../data/users-repo.ts';
import { hashPassword } from '../domain/password.ts';
import { emailTaken, normalizeEmail, type User } from '../domain/user.ts';

export type SignUp = { name: string; email: string; password: string; phone?: string; city?: string };

export async function signUp(db: Db, input: SignUp, log: Pick<Logger, 'info'>): Promise<User> {
  const passwordHash = await hashPassword(input.password);
  const user = await db.transaction(async (tx) => {
    const user = await usersRepo.insert(tx, {
      id: `usr_${randomUUID()}`,
      name: input.name.trim(),
      email: normalizeEmail(input.email),
      passwordHash,
      phone: input.phone,
      city: input.city,
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
