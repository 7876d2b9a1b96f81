// Finishes sagas that no request is running: those cut short by a crash, and those waiting to retry a step.
import { type Sweep, startSweep } from '@bazaar/kit/service';
import { continueTrace } from '@bazaar/kit/telemetry';
import { sagasRepo } from '../data/sagas-repo.ts';
import { runSaga } from './run-saga.ts';
import type { Deps } from './saga-deps.ts';

export function startSagaRecovery(deps: Deps): Sweep {
  const sweep = async () => {
    // A backlog after an outage drains at up to 100 sagas a sweep per replica (they wait on the pool, not each other).
    const due = await deps.db.transaction((tx) => sagasRepo.due(tx, 100));
    // Each in the trace of the request that placed or cancelled the order: the order's story stays one trace.
    const resume = ({ orderId, trace }: (typeof due)[number]) =>
      deps.tracer
        ? continueTrace(deps.tracer, 'resume saga', trace, { 'order.id': orderId }, () => runSaga(deps, orderId))
        : runSaga(deps, orderId);
    await Promise.all(due.map(resume));
  };
  return startSweep(deps.config.sagaSweepMs, sweep, deps.log, 'saga recovery sweep failed; the next one retries');
}
