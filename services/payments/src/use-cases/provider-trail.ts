// One provider operation's part of the audit trail: a row for each request the resilient client sent again after a
// 5xx or a connection failure, then the row of what the operation came to, timed by the requests that gave it.
import type { Attempt, Timing } from '../data/attempts-repo.ts';
import type { CallOptions, Try } from '../providers/index.ts';

export type Trail = {
  /** Passed to the provider's call, so that every request it sends is heard of. */
  call: CallOptions;
  /** The operation's rows, oldest first; a retried request's result is what failed it (server_error, connection). */
  rows(outcome: Omit<Attempt, 'timing'>): Attempt[];
};

export function providerTrail(): Trail {
  const startedAt = new Date().toISOString();
  const start = performance.now();
  const tries: Try[] = [];
  return {
    call: { onTry: (t) => void tries.push(t) },
    rows(outcome) {
      const retried = tries
        .filter((t) => t.retried)
        .map((t) => ({
          ...outcome,
          result: t.failure ?? 'retried',
          detail: t.status ? `provider answered HTTP ${t.status}` : undefined,
          timing: { startedAt: t.startedAt, durationMs: t.durationMs },
        }));
      const final = tries.filter((t) => !t.retried);
      // No request at all (the breaker was open): the operation's own time, however short.
      const timing =
        final.length > 0 ? spanOf(final) : { startedAt, durationMs: Math.round(performance.now() - start) };
      return [...retried, { ...outcome, timing }];
    },
  };
}

/** From the first request's start to the last one's end: a JazzCash reversal inquires, then refunds. */
function spanOf(tries: Try[]): Timing {
  const first = tries[0];
  const last = tries.at(-1)!;
  const end = Date.parse(last.startedAt) + last.durationMs;
  return { startedAt: first.startedAt, durationMs: Math.max(0, end - Date.parse(first.startedAt)) };
}
