// Named prepared statements on PostgreSQL: a connection parses and plans a statement's text once, not on every run.
import type pg from 'pg';

/** Distinct texts named per handle; texts beyond it run unnamed, so no connection holds an unbounded set of plans. */
export const MAX_NAMED = 256;

/** preparer names each distinct statement text (`s1`, `s2`...), the same name on every connection of the pool. */
export function preparer(max = MAX_NAMED) {
  const names = new Map<string, string>();
  return (text: string, values?: unknown[]): pg.QueryConfig => {
    let name = names.get(text);
    if (name === undefined && names.size < max) {
      name = `s${names.size + 1}`;
      names.set(text, name);
    }
    return { name, text, values };
  };
}

/**
 * A statement prepared before a migration changed the columns it returns (`SELECT *` after ADD COLUMN): PostgreSQL
 * refuses to run it (0A000, "cached plan must not change result type") until the connection prepares it again.
 */
export function isStalePlan(err: unknown): boolean {
  const e = err as { code?: string; routine?: string };
  return e?.code === '0A000' && e.routine === 'RevalidateCachedQuery';
}
