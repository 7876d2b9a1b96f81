// Users and their credentials in the users database.
import type { Row, Tx } from '@bazaar/kit/database';
import type { Role, User } from '../domain/user.ts';

const toUser = (r: Row): User => ({
  id: r.id,
  name: r.name,
  email: r.email,
  phone: r.phone,
  city: r.city,
  role: r.role,
  createdAt: new Date(r.created_at).toISOString(),
});

export type NewUser = {
  id: string;
  name: string;
  email: string;
  passwordHash: string;
  phone?: string;
  city?: string;
  role: Role;
};

export const usersRepo = {
  /** Inserts unless the email is taken; returns null when it is. */
  async insert(q: Tx, u: NewUser): Promise<User | null> {
    const rows = await q.query(
      `INSERT INTO users (id, name, email, password_hash, phone, city, role) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (email) DO NOTHING RETURNING *`,
      [u.id, u.name, u.email, u.passwordHash, u.phone ?? null, u.city ?? null, u.role],
    );
    return rows[0] ? toUser(rows[0]) : null;
  },

  async byId(q: Tx, id: string): Promise<User | null> {
    const [row] = await q.query('SELECT * FROM users WHERE id = $1', [id]);
    return row ? toUser(row) : null;
  },

  async credentials(q: Tx, email: string): Promise<{ user: User; passwordHash: string } | null> {
    const [row] = await q.query('SELECT * FROM users WHERE email = $1', [email]);
    return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
  },

  /** Sets the fields present in `changes` (null clears phone or city) and keeps the others. */
  async update(
    q: Tx,
    id: string,
    changes: { name?: string; phone?: string | null; city?: string | null },
  ): Promise<User | null> {
    const [row] = await q.query(
      `UPDATE users SET name = coalesce($2, name), phone = CASE WHEN $5 THEN $3 ELSE phone END,
       city = CASE WHEN $6 THEN $4 ELSE city END
       WHERE id = $1 RETURNING *`,
      [
        id,
        changes.name ?? null,
        changes.phone ?? null,
        changes.city ?? null,
        changes.phone !== undefined,
        changes.city !== undefined,
      ],
    );
    return row ? toUser(row) : null;
  },

  async setAdmin(q: Tx, email: string, passwordHash: string): Promise<void> {
    await q.query("UPDATE users SET role = 'admin', password_hash = $2 WHERE email = $1", [email, passwordHash]);
  },

  /** The users of these ids (those that exist), newest first. */
  async byIds(q: Tx, ids: string[]): Promise<User[]> {
    const list = ids.map((_, i) => `$${i + 1}`).join(', ');
    const rows = await q.query(`SELECT * FROM users WHERE id IN (${list}) ORDER BY created_at DESC, id DESC`, ids);
    return rows.map(toUser);
  },

  /** Newest first, paged by (created_at, id). */
  async list(q: Tx, limit: number, after?: [string, string]): Promise<User[]> {
    const rows = after
      ? await q.query(
          'SELECT * FROM users WHERE (created_at, id) < ($1::timestamptz, $2) ORDER BY created_at DESC, id DESC LIMIT $3',
          [...after, limit],
        )
      : await q.query('SELECT * FROM users ORDER BY created_at DESC, id DESC LIMIT $1', [limit]);
    return rows.map(toUser);
  },
};
