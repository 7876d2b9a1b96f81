// Serving a batch of calls: each item gets the answer a call for it alone would get, or the refusal that call would
// throw, in the batch's order; one refused item holds none of the others back.
import { trace } from '@opentelemetry/api';
import { type AppError, validationFailed } from '../server/errors.ts';
import { type Refusal, refusalOf } from './errors.ts';

/** One item's answer in a batch: what a call for it alone would answer, or the refusal it would throw. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: AppError };

export const answered = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const refused = <T>(error: AppError): Outcome<T> => ({ ok: false, error });

/** The outcome of a check that throws its refusal: the checked value, or the refusal. */
export function attempt<T>(check: () => T): Outcome<T> {
  try {
    return answered(check());
  } catch (err) {
    return refused(err as AppError);
  }
}

/**
 * Serves the items that passed their checks, all together, and answers every item in its place: the answer it got,
 * or the refusal of its check.
 */
export async function servePassing<I, T>(
  checked: Outcome<I>[],
  serve: (passed: I[]) => Promise<Outcome<T>[]>,
): Promise<Outcome<T>[]> {
  const passed = checked.flatMap((c) => (c.ok ? [c.value] : []));
  const answers = passed.length > 0 ? await serve(passed) : [];
  let next = 0;
  return checked.map((c) => (c.ok ? answers[next++] : refused(c.error)));
}

/** The value of a call made alone, or its refusal thrown. */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** The most items one batch may carry. */
export const MAX_BATCH = 100;

/** The batch's items, when there are 1..MAX_BATCH of them; else the whole call is refused with VALIDATION_FAILED. */
export function batchOf<T>(items: T[]): T[] {
  if (items.length === 0 || items.length > MAX_BATCH)
    throw validationFailed([{ path: 'body', message: `must hold 1..${MAX_BATCH} items, not ${items.length}` }]);
  return items;
}

/** One item's outcome as a batch answer carries it (a oneof): the answer under `key`, or the refusal. */
export function outcomeMessage<T>(outcome: Outcome<T>, key: string): { [key: string]: T | Refusal } {
  if (outcome.ok) return { [key]: outcome.value };
  return { refusal: refusalOf(outcome.error, trace.getActiveSpan()?.spanContext().traceId) };
}
