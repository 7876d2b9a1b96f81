// The admin's list of users, newest first, paged by cursor; or the few a screen names, by id.
import { type Db, decodeCursor, pageOf } from '@bazaar/kit/database';
import { usersRepo } from '../data/users-repo.ts';
import type { User } from '../domain/user.ts';

type Page = { items: User[]; nextCursor: string | null };

export async function listUsers(db: Db, query: { limit: number; cursor?: string; id?: string }): Promise<Page> {
  // At most 100 ids (the schema's limit), so they fit one page whatever `limit` says.
  if (query.id !== undefined)
    return { items: await usersRepo.byIds(db, [...new Set(query.id.split(','))]), nextCursor: null };
  const after = decodeCursor(query.cursor, ['time', 'string']) as [string, string] | undefined;
  const rows = await usersRepo.list(db, query.limit + 1, after);
  return pageOf(rows, query.limit, (last) => [last.createdAt, last.id]);
}
