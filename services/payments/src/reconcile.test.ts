// What the provider did out of our sight (a debit recorded after our deadline, a reversal before a crash, a debit it
// no longer shows) never leaves money taken, nor books money as moved that did not move.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { txnRefFor } from './providers/index.ts';
import { expectSoundLedger, type Harness, harness } from './test-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.stop());
afterEach(async () => {
  vi.restoreAllMocks();
  await expectSoundLedger(h);
});

const newOrder = () => `ord_${randomUUID()}`;
const trail = async (orderId: string) =>
  (await h.record(orderId)).body.attempts.map(
    (a: { operation: string; result: string }) => `${a.operation}:${a.result}`,
  );
const entryKinds = async (orderId: string) => (await h.ledger(orderId)).map((e) => e.kind).sort();

it('when the provider records a debit after our deadline and after our inquiry found nothing, reconciliation reverses it', async () => {
  const orderId = newOrder();
  const ref = txnRefFor(orderId, 1);
  const jazzcash = h.svc.providers.jazzcash;
  // The request leaves, no answer comes back in time, and the provider has not written the debit yet.
  vi.spyOn(jazzcash, 'authorize').mockResolvedValueOnce({
    outcome: 'unavailable',
    message: 'timed out',
    timedOut: true,
  });
  const answer = await h.authorize({ orderId, method: 'jazzcash', wallet: '03001234567' });
  expect(answer.body).toMatchObject({ status: 'VOIDED', outcome: 'timeout', reason: 'PAYMENT_TIMEOUT' });
  expect(await trail(orderId)).toEqual(['authorize:timeout', 'inquire:not_found']);

  vi.restoreAllMocks();
  // Now the provider completes the debit it received.
  expect((await jazzcash.authorize({ orderId, attempt: 1, amount: 149_900, wallet: '03001234567' })).outcome).toBe(
    'approved',
  );
  await vi.waitFor(() => expect(h.sandboxTxn(ref)?.status).toBe('reversed'), { timeout: 5000, interval: 50 });
  expect((await h.record(orderId)).body).toMatchObject({ status: 'VOIDED', captured: { amount: 0 } });
  await vi.waitFor(async () => expect(await entryKinds(orderId)).toEqual(['authorize', 'void']));
});

it('a payment the provider never heard of is looked at again only until the horizon', async () => {
  const short = await harness({ config: { reconcileHorizonMs: 1500 } });
  try {
    const orderId = newOrder();
    vi.spyOn(short.svc.providers.easypaisa, 'authorize').mockResolvedValue({
      outcome: 'unavailable',
      message: 'timed out',
      timedOut: true,
    });
    await short.authorize({ orderId, method: 'easypaisa', wallet: '03001234567' });
    const due = async () =>
      (await short.svc.db.query('SELECT reconcile_after FROM payments WHERE order_id = $1', [orderId]))[0]
        .reconcile_after;
    expect(await due()).not.toBeNull();
    await vi.waitFor(async () => expect(await due()).toBeNull(), { timeout: 8000, interval: 100 });
    const inquiries = (await short.record(orderId)).body.attempts.filter(
      (a: { operation: string }) => a.operation === 'inquire',
    );
    expect(inquiries.length).toBeGreaterThan(1);
    await expectSoundLedger(short);
  } finally {
    await short.stop();
  }
});

it('after a crash between our reversal and its record, the next authorisation is not an approval and nothing is captured', async () => {
  const orderId = newOrder();
  // The debit went through and we reversed it (a timeout), then the process died before writing VOIDED.
  const ref = await h.crashedMidCall(orderId);
  expect((await h.svc.providers.jazzcash.reverse(ref)).ok).toBe(true);

  const answer = await h.authorize({ orderId, method: 'jazzcash', wallet: '03001234567' });
  expect(answer.body).toMatchObject({ status: 'VOIDED', outcome: 'timeout' });
  expect((await h.capture(orderId)).body.code).toBe('PAYMENT_NOT_CAPTURABLE');
  expect(h.sandboxTxn(ref)?.status).toBe('reversed');
  expect((await trail(orderId))[0]).toBe('inquire:reversed');
  expect(await entryKinds(orderId)).toEqual(['authorize', 'void']);
});

it('when the provider shows no debit for a captured payment, a refund is not booked and is retried', async () => {
  const orderId = newOrder();
  const ref = txnRefFor(orderId, 1);
  await h.authorize({ orderId, method: 'easypaisa', wallet: '03001234567' });
  expect((await h.capture(orderId)).body.status).toBe('CAPTURED');
  h.sandboxes.easypaisa.transactions.delete(ref); // the provider's record of it is gone

  const refund = await h.refund(orderId);
  expect(refund.status).toBe(503);
  expect(refund.body.code).toBe('PROVIDER_UNAVAILABLE');
  expect((await h.record(orderId)).body).toMatchObject({ status: 'CAPTURED', refunded: { amount: 0 } });
  expect(await entryKinds(orderId)).toEqual(['authorize', 'capture']);
});
