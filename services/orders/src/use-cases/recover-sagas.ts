// Finishes sagas that no request is running: those cut short by a crash, and those waiting to retry a step.
import { sagasRepo } from '../data/sagas-repo.ts';
import { runSaga } from './run-saga.ts';
import type { Deps } from './saga-deps.ts';

export function startSagaRecovery(deps: Deps): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const sweep = async () => {
    // A backlog after an outage drains at up to 100 sagas a sweep per replica (they wait on the pool, not each other).
    const due = await deps.db.transaction((tx) => sagasRepo.due(tx, 100));
    await Promise.all(due.map((orderId) => runSaga(deps, orderId)));
  };
  const timer = setInterval(() => {
    running ??= sweep()
      .catch((err) => deps.log.warn({ err: String(err) }, 'saga recovery sweep failed'))
      .finally(() => {
        running = undefined;
      });
  }, deps.config.sagaSweepMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
