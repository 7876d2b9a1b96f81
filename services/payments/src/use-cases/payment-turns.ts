// How the use cases take turns on one order's payment: one operation per order at a time in this process (Serial),
// a row lock across processes (whenIdle), and a lease while a provider call is out (takeLease, withLease). A lease is
// a fencing token with a time limit: once the time is up, whoever acts on the payment takes it over (the token is
// cleared), and the late holder, finding its token gone, sends no further call and writes nothing (LeaseLost).
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
      if (p?.leased) return BUSY;
      await takeOverLapsed(tx, p);
      return { value: await step(tx, p) };
    });
    if (out !== BUSY) return out.value;
    await sleep(POLL_MS);
  }
}

/** A lease whose time ran out is taken over by whoever acts on the payment now: its late holder's writes are refused. */
export async function takeOverLapsed(tx: Tx, p: Payment | null): Promise<void> {
  if (p?.leaseToken && !p.leased) await paymentsRepo.releaseLease(tx, p.id, p.leaseToken);
}

export type Lease = { payment: Payment; token: string };

/** The lease was taken over after its time ran out: someone else may have changed the payment since. */
export class LeaseLost extends Error {
  constructor(orderId: string) {
    super(`the lease on the payment of ${orderId} was taken over`);
  }
}

/**
 * Before a provider call that changes money (a reversal): renews the lease for one more call, or throws LeaseLost
 * when it was taken over, so that the call is not sent.
 */
export async function keepLease(deps: Deps, lease: Lease): Promise<void> {
  if (!(await paymentsRepo.renewLease(deps.db, lease.payment.id, lease.token, deps.settings.leaseMs)))
    throw new LeaseLost(lease.payment.orderId);
}

/** In the holder's last transaction, on the payment as locked there: whether the lease is still the holder's. */
export const holds = (lease: Lease, current: Payment) => current.leaseToken === lease.token;

/** lockHeld locks the leased payment in the holder's last transaction: LeaseLost when it was taken over meanwhile. */
export async function lockHeld(tx: Tx, lease: Lease): Promise<Payment> {
  const current = (await paymentsRepo.lockByOrder(tx, lease.payment.orderId))!;
  if (!holds(lease, current)) throw new LeaseLost(lease.payment.orderId);
  return current;
}

/** Runs a turn again from the start while it loses its lease: the next run sees what the one who took over did. */
export async function againIfLost<T>(deps: Deps, orderId: string, turn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await turn();
    } catch (err) {
      if (!(err instanceof LeaseLost)) throw err;
      deps.log.warn({ orderId }, 'payment lease taken over after it ran out; starting again');
    }
  }
}

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
