// Reading and changing one's own profile; only name, phone and city are writable.
import type { Db } from '@bazaar/kit/database';
import { notFound } from '@bazaar/kit/server';
import { usersRepo } from '../data/users-repo.ts';
import type { User } from '../domain/user.ts';

/** What a customer may change of their profile; null clears the phone or the city. */
export type ProfileChanges = { name?: string; phone?: string | null; city?: string | null };

export async function getProfile(db: Db, userId: string): Promise<User> {
  const user = await usersRepo.byId(db, userId);
  if (!user) throw notFound('No such user.');
  return user;
}

export async function updateProfile(db: Db, userId: string, changes: ProfileChanges): Promise<User> {
  // Trimmed as a sign-up's are; null (clear the city) stays null.
  const city = typeof changes.city === 'string' ? changes.city.trim() : changes.city;
  const user = await usersRepo.update(db, userId, { ...changes, name: changes.name?.trim(), city });
  if (!user) throw notFound('No such user.');
  return user;
}
