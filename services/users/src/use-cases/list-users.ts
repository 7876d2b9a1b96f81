// The admin's list of users, newest first, paged by cursor.
import { type Db, decodeCursor, encodeCursor } from '@bazaar/kit/database';
import { usersRepo } from '../data/users-repo.ts';
import type { User } from '../domain/user.ts';

export async function listUsers(
  db: Db,
  limit: number,
  cursor?: string,
): Promise<{ items: User[]; nextCursor: string | null }> {
  const after = decodeCursor(cursor, ['time', 'string']) as [string, string] | undefined;
  const rows = await usersRepo.list(db, limit + 1, after);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null };
}
