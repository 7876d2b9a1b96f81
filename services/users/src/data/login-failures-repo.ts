// Failed-login counters per account, for the brute-force lock-out.
import type { Tx } from '@bazaar/kit/database';

export const loginFailuresRepo = {
  /**
   * Claims one try at the account's password before it is checked, in one statement, so concurrent attempts are
   * counted one by one: `tries` is this attempt's number within the window (in-flight attempts count as failures
   * until a success clears them), `lockedFor` the seconds left of a lock already in force (0: none).
   */
  async claimTry(q: Tx, email: string, windowSeconds: number): Promise<{ tries: number; lockedFor: number }> {
    const [row] = await q.query(
      `INSERT INTO login_failures AS f (email, failures, first_at) VALUES ($1, 1, now())
       ON CONFLICT (email) DO UPDATE SET
         failures = CASE WHEN f.locked_until > now() THEN f.failures
                         WHEN f.first_at < now() - make_interval(secs => $2) THEN 1 ELSE f.failures + 1 END,
         first_at = CASE WHEN f.locked_until > now() THEN f.first_at
                         WHEN f.first_at < now() - make_interval(secs => $2) THEN now() ELSE f.first_at END
       RETURNING failures AS tries,
         CASE WHEN locked_until > now() THEN greatest(1, ceil(extract(epoch FROM locked_until - now())))::int
              ELSE 0 END AS locked_for`,
      [email, windowSeconds],
    );
    return { tries: row.tries, lockedFor: row.locked_for };
  },

  /**
   * Locks the account for lockSeconds (unless a lock is already in force) and starts counting afresh after it;
   * answers whether this call locked it (false: a concurrent attempt did first).
   */
  async lock(q: Tx, email: string, lockSeconds: number): Promise<boolean> {
    const rows = await q.query(
      `UPDATE login_failures SET locked_until = now() + make_interval(secs => $2), failures = 0, first_at = now()
       WHERE email = $1 AND (locked_until IS NULL OR locked_until <= now()) RETURNING 1`,
      [email, lockSeconds],
    );
    return rows.length > 0;
  },

  /** Clears the account's counter after a success. */
  async clear(q: Tx, email: string): Promise<void> {
    await q.query('DELETE FROM login_failures WHERE email = $1', [email]);
  },

  /** Deletes every counter whose window and lock are over; answers how many. */
  async forgetStale(q: Tx, windowSeconds: number): Promise<number> {
    const rows = await q.query(
      `DELETE FROM login_failures WHERE first_at < now() - make_interval(secs => $1)
         AND (locked_until IS NULL OR locked_until <= now()) RETURNING 1`,
      [windowSeconds],
    );
    return rows.length;
  },
};
