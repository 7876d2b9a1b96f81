// The courier simulator: a pass over due shipments every fraction of a step, until the service stops.
import type { Db } from '@bazaar/kit/database';
import { type Logger, withLazyRootSpan } from '@bazaar/kit/telemetry';
import type { Tracer } from '@opentelemetry/api';
import { advanceShipments } from '../use-cases/advance-shipments.ts';

export type CourierSimulator = { stop(): Promise<void> };

/** With a tracer, each step is a trace of its own, rooted at a `courier step` span that its event carries on. */
export function startCourierSimulator(deps: {
  db: Db;
  log: Logger;
  stepMs: number;
  tracer?: Tracer;
}): CourierSimulator {
  const { log, stepMs, tracer } = deps;
  const db = tracer ? stepsTraced(deps.db, tracer) : deps.db;
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

/**
 * Each step is one transaction of advanceShipments: each runs under a root span of its own, started only when the
 * step writes its event, so the many passes that find nothing due leave no trace.
 */
function stepsTraced(db: Db, tracer: Tracer): Db {
  return { ...db, transaction: (fn) => withLazyRootSpan(tracer, 'courier step', () => db.transaction(fn)) };
}
