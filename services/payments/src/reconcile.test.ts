// What the provider did out of our sight (a debit recorded after our deadline, a reversal before a crash, a debit it
// no longer shows) never leaves money taken, nor books money as moved that did not move.
import { randomUUID } from 'node:crypto';
import { LogStore, SpanStore } from '@bazaar/kit/telemetry';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { txnRefFor } from './providers/index.ts';
import { expectSoundLedger, type Harness, harness } from './test-harness.ts';

let h: Harness;
const spans = new SpanStore();
const logs = new LogStore();
beforeAll(async () => {
  h = await harness({ platform: { spanStore: spans, logStore: logs } });
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

it('when the provider records a debit after our deadline and after our inquiry found nothing, reconciliation reverses it, in a trace of its own', async () => {
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

  // The sweep's check: its lines carry its trace id, and its provider calls are spans of that trace.
  const reversal = await vi.waitFor(() => {
    const line = logs.query({ orderId }).find((l) => l.msg === 'reversed money a provider took for a released payment');
    expect(line?.traceId).toMatch(/^[0-9a-f]{32}$/);
    return line!;
  });
  expect(logs.query({ orderId }).every((l) => typeof l.traceId === 'string')).toBe(true);
  const trace = await vi.waitFor(() => {
    const found = spans.trace(reversal.traceId!);
    expect(found.map((s) => s.name)).toContain('reconcile payment');
    return found;
  });
  const root = trace.find((s) => s.name === 'reconcile payment')!;
  expect(root).toMatchObject({
    service: 'payments',
    parentSpanId: undefined,
    attributes: { 'bazaar.order_id': orderId },
  });
  expect(trace.map((s) => s.spanId)).toContain(reversal.spanId);
  // The inquiry that found the debit, and the reversal: provider calls of this trace, made under its root.
  const calls = trace.filter((s) => s.name === 'POST jazzcash');
  expect(calls.length).toBeGreaterThanOrEqual(2);
  expect(calls.every((s) => s.parentSpanId === root.spanId)).toBe(true);
});

it('a payment whose check fails does not hold up the others due: the failure is logged in its own trace, and it is checked again', async () => {
  const [failing, next] = [newOrder(), newOrder()];
  const jazzcash = h.svc.providers.jazzcash;
  const reverse = jazzcash.reverse.bind(jazzcash);
  vi.spyOn(jazzcash, 'reverse').mockImplementation((ref, call) =>
    ref === txnRefFor(failing, 1) ? Promise.reject(new Error('adapter fault')) : reverse(ref, call),
  );
  // Two released payments whose debits the provider completed late, the failing one due first, written at once.
  for (const orderId of [failing, next])
    await jazzcash.authorize({ orderId, attempt: 1, amount: 149_900, wallet: '03001234567' });
  await h.svc.db.query(
    `INSERT INTO payments (id, order_id, user_id, method, wallet, amount, status, outcome, reason, reference, reconcile_after)
     SELECT 'pay_' || o, o, 'usr_ayesha', 'jazzcash', '03001234567', 149900, 'VOIDED', 'timeout', 'PAYMENT_TIMEOUT', r,
            now() - make_interval(mins => d)
     FROM (VALUES ($1::text, $2::text, 60), ($3::text, $4::text, 30)) AS due(o, r, d)`,
    [failing, txnRefFor(failing, 1), next, txnRefFor(next, 1)],
  );

  await vi.waitFor(() => expect(h.sandboxTxn(txnRefFor(next, 1))?.status).toBe('reversed'), { timeout: 5000 });
  const failure = logs
    .query({ orderId: failing })
    .find((l) => l.msg === 'payment reconciliation failed; the next sweep retries');
  expect(failure?.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(spans.trace(failure!.traceId!).find((s) => s.name === 'reconcile payment')?.status).toBe('error');

  vi.restoreAllMocks();
  await vi.waitFor(() => expect(h.sandboxTxn(txnRefFor(failing, 1))?.status).toBe('reversed'), { timeout: 5000 });
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
