// Deadlines travel with the active context: an entry point sets one, every gRPC call below it stops there.
import { type Context, context, createContextKey } from '@opentelemetry/api';

const deadlineKey = createContextKey('bazaar.deadline');

/** withDeadline gives ctx a deadline (epoch ms); a nested one can only shorten what an outer one allows. */
export function withDeadline(ctx: Context, at: number): Context {
  const outer = ctx.getValue(deadlineKey) as number | undefined;
  return ctx.setValue(deadlineKey, outer === undefined ? at : Math.min(outer, at));
}

/** currentDeadline is the deadline (epoch ms) of the work this code runs for, when something set one. */
export const currentDeadline = (): number | undefined => context.active().getValue(deadlineKey) as number | undefined;

/** runWithDeadline runs fn, and everything it starts, under a deadline `ms` from now. */
export const runWithDeadline = <T>(ms: number, fn: () => T): T =>
  context.with(withDeadline(context.active(), Date.now() + ms), fn);
