// The courier simulator: a pass over due shipments every fraction of a step, until the service stops.
import type { Db } from '@bazaar/kit/database';
import type { Logger } from '@bazaar/kit/telemetry';
import { advanceShipments } from '../use-cases/advance-shipments.ts';

export type CourierSimulator = { stop(): Promise<void> };

export function startCourierSimulator(deps: { db: Db; log: Logger; stepMs: number }): CourierSimulator {
  const { db, log, stepMs } = deps;
  // Passes run four times a step, so a shipment moves within a quarter step of falling due.
  const every = Math.max(10, Math.floor(stepMs / 4));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> = Promise.resolve();

  const tick = () => {
    pass = advanceShipments(db, stepMs)
      .then((stepped) => {
        if (stepped > 0) log.debug({ stepped }, 'courier moved shipments');
      })
      .catch((err) => log.warn({ err }, 'courier pass failed; the next pass retries'))
      .finally(() => {
        if (!stopped) schedule();
      });
  };
  const schedule = () => {
    timer = setTimeout(tick, every);
    timer.unref();
  };

  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await pass;
    },
  };
}
