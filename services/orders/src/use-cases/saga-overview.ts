// sagaOverview: how the orders stand (by status), where their sagas are (by step), and which are retrying and why.
import type { Db } from '@bazaar/kit/database';
import { sagasRepo } from '../data/sagas-repo.ts';

const RETRYING_SHOWN = 20;

export async function sagaOverview(db: Db) {
  const { ordersByStatus, sagasByStep, retryingCount, retrying } = await sagasRepo.overview(db, RETRYING_SHOWN);
  const inFlight = Object.entries(sagasByStep).reduce((n, [step, count]) => (step === 'DONE' ? n : n + count), 0);
  return { ordersByStatus, sagasByStep, inFlight, retryingCount, retrying };
}
