// The admin's list of users, newest first, paged by cursor.
import { type Db, decodeCursor, pageOf } from '@bazaar/kit/database';
import { usersRepo } from '../data/users-repo.ts';
import type { User } from '../domain/user.ts';

export async function listUsers(
  db: Db,
  limit: number,
  cursor?: string,
): Promise<{ items: User[]; nextCursor: string | null }> {
  const after = decodeCursor(cursor, ['time', 'string']) as [string, string] | undefined;
  const rows = await usersRepo.list(db, limit + 1, after);
  return pageOf(rows, limit, (last) => [last.createdAt, last.id]);
}
