// A periodic sweep (sagas to resume, payments to reconcile): one run at a time, a failed run logged and retried by
// the next, and stop() waits for the run in progress. The timer does not keep the process alive.
import type { Logger } from '../telemetry/logger.ts';

export type Sweep = { stop(): Promise<void> };

/** startSweep runs `sweep` every `everyMs`; a run still going when the next is due makes that one skip. */
export function startSweep(everyMs: number, sweep: () => Promise<void>, log: Logger, failure: string): Sweep {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= sweep()
      .catch((err) => log.warn({ err: String(err) }, failure))
      .finally(() => {
        running = undefined;
      });
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
