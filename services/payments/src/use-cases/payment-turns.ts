// How the use cases take turns on one order's payment: one operation per order at a time in this process (Serial),
// a row lock across processes (whenIdle), and a lease while a provider call is out (takeLease, withLease).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db, Tx } from '@bazaar/kit/database';
import { paymentsRepo } from '../data/payments-repo.ts';
import type { Payment } from '../domain/payment.ts';
import type { Deps, Serial } from './deps.ts';

/** createSerial queues work per key: one operation per order at a time in this process. */
export function createSerial(): Serial {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(key, fn) {
      const result = (tails.get(key) ?? Promise.resolve()).then(fn);
      const tail = result.catch(() => {});
      tails.set(key, tail);
      void tail.then(() => tails.get(key) === tail && tails.delete(key));
      return result;
    },
  };
}

const BUSY = Symbol('busy');
const POLL_MS = 20;

/**
 * whenIdle runs step on the order's payment under its row lock, once no provider call holds it (another process
 * may be calling the provider for it: the lease says so). Answers whatever step answers.
 */
export async function whenIdle<T>(
  db: Db,
  orderId: string,
  step: (tx: Tx, p: Payment | null) => Promise<T>,
): Promise<T> {
  for (;;) {
    const out = await db.transaction(async (tx) => {
      const p = await paymentsRepo.lockByOrder(tx, orderId);
      return p?.leased ? BUSY : { value: await step(tx, p) };
    });
    if (out !== BUSY) return out.value;
    await sleep(POLL_MS);
  }
}

export type Lease = { payment: Payment; token: string };

/** Takes the payment's lease in the caller's transaction (the row is locked and idle). */
export async function takeLease(tx: Tx, deps: Deps, payment: Payment): Promise<Lease> {
  const token = randomUUID();
  await paymentsRepo.lease(tx, payment.id, token, deps.settings.leaseMs);
  return { payment, token };
}

/** Gives the lease back in the caller's transaction: it is returned when that transaction commits. */
export type HandBack = (tx: Tx) => Promise<void>;

/**
 * Runs fn, then gives the lease back whatever happened; fn may give it back in its own last transaction instead
 * (one write fewer), and when fn then succeeds there is nothing left to return.
 */
export async function withLease<T>(deps: Deps, lease: Lease, fn: (handBack: HandBack) => Promise<T>): Promise<T> {
  let handedBack = false;
  const handBack: HandBack = async (tx) => {
    await paymentsRepo.releaseLease(tx, lease.payment.id, lease.token);
    handedBack = true;
  };
  let succeeded = false;
  try {
    const result = await fn(handBack);
    succeeded = true;
    return result;
  } finally {
    // A hand-back whose transaction then failed did not happen: the lease is given back here.
    if (!(succeeded && handedBack))
      await paymentsRepo
        .releaseLease(deps.db, lease.payment.id, lease.token)
        .catch((err) =>
          deps.log.warn({ err, orderId: lease.payment.orderId }, 'payment lease not released; it expires by itself'),
        );
  }
}
