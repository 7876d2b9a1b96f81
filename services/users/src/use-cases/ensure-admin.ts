// The admin account named by the configuration exists, with that password (its hash given), after every start.
import { randomUUID } from 'node:crypto';
import type { Db } from '@bazaar/kit/database';
import { usersRepo } from '../data/users-repo.ts';
import { normalizeEmail } from '../domain/user.ts';

export async function ensureAdmin(db: Db, email: string, passwordHash: string): Promise<void> {
  const normalized = normalizeEmail(email);
  await db.transaction(async (tx) => {
    const created = await usersRepo.insert(tx, {
      id: `usr_${randomUUID()}`,
      name: 'Administrator',
      email: normalized,
      passwordHash,
      role: 'admin',
    });
    if (!created) await usersRepo.setAdmin(tx, normalized, passwordHash);
  });
}
