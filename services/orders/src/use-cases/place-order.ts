// Placing an order: check the idempotency key, write the order PENDING with its saga, run the saga for a
// short synchronous window, and answer with what is known by then.
import { createHash, randomUUID } from 'node:crypto';
import { enqueue } from '@bazaar/kit/messaging';
import { type Caller, problemOf, validationFailed } from '@bazaar/kit/server';
import { storedTraceOf } from '@bazaar/kit/telemetry';
import { trace } from '@opentelemetry/api';
import stableStringify from 'safe-stable-stringify';
import { OrderEvents, type PaymentMethod } from '../contracts.ts';
import { idempotencyRepo } from '../data/idempotency-repo.ts';
import { ordersRepo, type StoredOrder } from '../data/orders-repo.ts';
import {
  idempotencyKeyReused,
  MAX_LINE_QUANTITY,
  mergeLines,
  type Order,
  rejection,
  summaryOf,
  unknownCity,
} from '../domain/order.ts';
import { announce } from './announce-order.ts';
import { type Finish, LEASE_MS, runSaga, type Watch } from './run-saga.ts';
import type { Deps } from './saga-deps.ts';

export type PlaceOrder = {
  items: { sku: string; quantity: number }[];
  payment: { method: PaymentMethod; wallet?: string; cnic?: string };
  shipping: { city: string; address: string; phone: string };
};

export type Answer = { status: number; body: unknown; problem: boolean };

export async function placeOrder(deps: Deps, caller: Caller, input: PlaceOrder, key?: string): Promise<Answer> {
  checkWallet(input.payment);
  const lines = mergeLines(input.items);
  checkMergedQuantities(lines);
  // Keys sorted: the same order is the same request however its JSON was laid out.
  const requestHash = createHash('sha256').update(stableStringify(input)).digest('hex');
  const rate = await deps.shipping.rateFor(input.shipping.city);
  if (rate === null) throw unknownCity();

  const orderId = `ord_${randomUUID()}`;
  const placed = await deps.db.transaction(async (tx) => {
    // No look-up of the key first: its claim goes with the insert, which places nothing unless the key is this
    // order's (ordersRepo.insert checks it), one round trip for both.
    if (key) await idempotencyRepo.claim(tx, { userId: caller.id, key, requestHash, orderId });
    const stored = await ordersRepo.insert(tx, {
      id: orderId,
      userId: caller.id,
      lines,
      shippingFee: rate.fee,
      method: input.payment.method,
      wallet: input.payment.wallet,
      cnic: input.payment.cnic,
      shipping: {
        city: rate.city, // as shipping names it, whatever the case or spaces it was typed with
        address: input.shipping.address.trim(),
        phone: input.shipping.phone,
      },
      idempotencyKey: key,
      leaseMs: LEASE_MS,
      trace: storedTraceOf(),
    });
    if (!stored) return null; // the key is another request's
    await enqueue(tx, 'orders', { type: OrderEvents.placed, subject: orderId, data: summaryOf(stored.order) });
    return stored;
  });
  if (!placed) return replay(deps, caller, key!, requestHash);
  deps.log.info(
    { orderId, userId: caller.id, method: input.payment.method, city: placed.order.shipping.city, lines: lines.length },
    'order placed',
  );

  return answerWithinWindow(deps, caller.id, placed, key);
}

/**
 * Runs the saga for up to the sync window. Within it the saga's own decision is the answer (remembered for the key in
 * its final transaction); after it, the order as it stands by then, remembered here.
 */
async function answerWithinWindow(deps: Deps, userId: string, placed: StoredOrder, key?: string): Promise<Answer> {
  const orderId = placed.order.id;
  const early = key ? answeredBySaga(userId, key) : undefined;
  const watch: Watch = {};
  const saga = runSaga(deps, orderId, { held: { step: 'RESERVE', order: placed }, finish: early?.finish, watch });
  let decided = await Promise.race([saga, sleep(deps.config.syncWindowMs)]);
  if (early) {
    early.open = false;
    // The saga's final transaction began inside the window with the answer in it: that answer is the one kept.
    if (!decided && early.answer) decided = await saga;
    if (decided && early.answer) return early.answer;
  }
  const answer = answerFor(decided ?? (await undecided(deps, orderId, watch)));
  if (key) await idempotencyRepo.remember(deps.db, userId, key, answer.status, answer.body);
  return answer;
}

/**
 * The order as it stands when the window closes undecided. The saga writes inventory's names and prices with its
 * next step, which a slow provider holds up: they are written now, so this answer and every read after it show them,
 * and announced, so the customer's order history shows this total too, not OrderPlaced's (the shipping fee alone).
 */
async function undecided(deps: Deps, orderId: string, watch: Watch): Promise<Order> {
  const lines = watch.learnt?.lines;
  if (!lines) return (await ordersRepo.byId(deps.db, orderId))!;
  return deps.db.transaction(async (tx) => {
    const priced = await ordersRepo.catchUp(tx, orderId, { lines });
    await announce(tx, priced);
    return priced.order;
  });
}

/** The answer remembered for the key in the saga's final transaction while the request still waits: one write less. */
function answeredBySaga(userId: string, key: string) {
  const early: { open: boolean; answer?: Answer; finish: Finish } = {
    open: true,
    finish: async (tx, order) => {
      if (!early.open) return;
      early.answer = answerFor(order);
      await idempotencyRepo.remember(tx, userId, key, early.answer.status, early.answer.body);
    },
  };
  return early;
}

/** The same key again: the first answer for the same body, 422 for another; wait while the first is in flight. */
async function replay(deps: Deps, caller: Caller, key: string, requestHash: string): Promise<Answer> {
  // As long as the first request's own calls may take (routes.ts): its answer is written by then.
  const deadline = Date.now() + deps.config.syncWindowMs + deps.config.deadlineMarginMs;
  for (;;) {
    const seen = (await idempotencyRepo.find(deps.db, caller.id, key))!;
    if (seen.requestHash !== requestHash) throw idempotencyKeyReused();
    if (seen.response)
      return { status: seen.response.status, body: seen.response.body, problem: seen.response.status >= 400 };
    if (Date.now() > deadline) return answerFor((await ordersRepo.byId(deps.db, seen.orderId))!);
    await sleep(50);
  }
}

/** Maps where the order stands to API.md's answers: 201, 409, 402, or 202 while undecided. */
export function answerFor(order: Order): Answer {
  if (order.status === 'PENDING') return { status: 202, body: order, problem: false };
  if (order.status !== 'REJECTED') return { status: 201, body: order, problem: false };
  // Every rejection is written with its reason; PAYMENT_FAILED stands in should a row ever lack one.
  const error = rejection(order.rejectionReason ?? 'PAYMENT_FAILED', order.id);
  const traceId = trace.getActiveSpan()?.spanContext().traceId;
  return { status: error.status, body: problemOf(error, traceId), problem: true };
}

function checkWallet(payment: PlaceOrder['payment']): void {
  if (payment.method === 'cod' && payment.wallet !== undefined)
    throw validationFailed([{ path: 'payment.wallet', message: 'must be absent for cash on delivery' }]);
  if (payment.method !== 'cod' && payment.wallet === undefined)
    throw validationFailed([{ path: 'payment.wallet', message: `is required for ${payment.method}` }]);
  // Only JazzCash takes a CNIC (its MWALLET v2.0); the message never repeats the value.
  if (payment.method !== 'jazzcash' && payment.cnic !== undefined)
    throw validationFailed([{ path: 'payment.cnic', message: `must be absent for ${payment.method}` }]);
}

/** A sku named on several lines is one line of their sum, which is held to the same limit as any line. */
function checkMergedQuantities(lines: { sku: string; quantity: number }[]): void {
  const over = lines.filter((l) => l.quantity > MAX_LINE_QUANTITY);
  if (over.length > 0)
    throw validationFailed(
      over.map((l) => ({ path: 'items', message: `${l.sku}: ${l.quantity} in all, at most ${MAX_LINE_QUANTITY}` })),
      `A sku may be ordered at most ${MAX_LINE_QUANTITY} at a time, over all its lines.`,
    );
}

const sleep = (ms: number) => new Promise<undefined>((r) => setTimeout(() => r(undefined), ms).unref());
