// A steady order load for fault scenarios, and the invariant check every scenario ends with. Clients keep their
// Idempotency-Key and retry a server error (5xx), as a real client would: the first attempt may or may not have landed.
import { brokerOrSkip, postgresOrSkip, RABBITMQ_URL } from '@bazaar/kit/testing';
import { afterEach, expect } from 'vitest';
import { verifyPlatform } from '../../apps/cli/src/verify.ts';
import { printChecks } from './books.ts';
import { ADMIN } from './platform.ts';
import { Shopper } from './shop.ts';

const RETRIABLE = new Set([500, 502, 503, 504, 599]);

/**
 * The servers a cluster fault test runs on (undefined where one is unreachable: the suite skips) and a clean-up list
 * each test fills and afterEach empties, last in first out.
 */
export async function clusterFaultSetup() {
  const postgres = await postgresOrSkip();
  const rabbit = postgres ? await brokerOrSkip(RABBITMQ_URL) : undefined;
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
  }, 60_000);
  return { postgres, rabbit, cleanup };
}

export type Payment = { method: string; wallet?: string };
export const COD: Payment = { method: 'cod' };
export const EASYPAISA: Payment = { method: 'easypaisa', wallet: '03001234567' };
export const JAZZCASH: Payment = { method: 'jazzcash', wallet: '03001234567' };

export type LoadOptions = {
  /** Taken in turn by each shopper's orders. */
  payments?: Payment[];
  /** How long a client retries one order before it takes the server error as the answer (the platform must
   * recover within it; default 15 s). */
  retryForMs?: number;
};

/** Four shoppers order for `ms` while `fault` runs; answers every order's final HTTP status. */
export async function underLoad(
  gatewayUrl: string,
  ms: number,
  fault: () => Promise<void>,
  { payments = [COD, EASYPAISA], retryForMs = 15_000 }: LoadOptions = {},
): Promise<number[]> {
  const admin = new Shopper(gatewayUrl);
  await admin.logIn(ADMIN.email, ADMIN.password);
  const sku = `FAULTS-${Date.now() % 100000}`;
  const price = { amount: 40000, currency: 'PKR' };
  await admin.call('POST', '/api/inventory', { sku, name: 'Plenty', price, quantity: 100_000 });
  const shoppers = await Promise.all(
    Array.from({ length: 4 }, async () => {
      const s = new Shopper(gatewayUrl);
      await s.signUp();
      return s;
    }),
  );
  const answers: number[] = [];
  const until = Date.now() + ms;
  const order = (s: Shopper, payment: Payment, key: string) =>
    s.order([{ sku, quantity: 1 }], payment, { 'idempotency-key': key }).then(
      (r) => r.status,
      () => 599,
    );
  const load = shoppers.map(async (s, i) => {
    for (let n = 0; Date.now() < until; n++) {
      const payment = payments[n % payments.length];
      const key = `fault-${i}-${n}`;
      const giveUp = Date.now() + retryForMs;
      let status = await order(s, payment, key);
      while (RETRIABLE.has(status) && Date.now() < giveUp) {
        await new Promise((r) => setTimeout(r, 500));
        status = await order(s, payment, key);
      }
      answers.push(status);
    }
  });
  await fault();
  await Promise.all(load);
  return answers;
}

/** Every order got a final answer among `finals`, and `bazaar verify` finds every invariant holding; both printed. */
export async function expectClean(gatewayUrl: string, answers: number[], finals = [201, 202]): Promise<void> {
  const counts: Record<number, number> = {};
  for (const a of answers) counts[a] = (counts[a] ?? 0) + 1;
  console.log('answers', counts);
  expect(answers.length).toBeGreaterThan(10);
  expect(answers.filter((a) => !finals.includes(a))).toEqual([]);
  const checks = await verifyPlatform(gatewayUrl, 90_000, ADMIN);
  printChecks('bazaar verify', checks, 10);
  expect(checks.filter((c) => !c.ok)).toEqual([]);
}

/** The pids of a service's replicas, from the `up --cluster` banner. */
export function pidsOf(banner: string, service: string): number[] {
  return [...banner.matchAll(new RegExp(`^\\s*${service}\\s+pid (\\d+)`, 'gm'))].map((m) => Number(m[1]));
}

export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
