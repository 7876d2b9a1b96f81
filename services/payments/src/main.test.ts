import { randomUUID } from 'node:crypto';
import { envelope } from '@bazaar/kit/messaging';
import type { ShipmentStatusChangedData } from '@bazaar/shipping/contracts';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PaymentSummary } from './contracts.ts';
import { txnRefFor } from './providers/index.ts';
import { admin, customer, expectSoundLedger, type Harness, harness, key } from './test-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.stop());
afterEach(() => expectSoundLedger(h));

const newOrder = () => `ord_${randomUUID()}`;
const debits = (ref: string) =>
  h
    .providerCalls(ref)
    .filter((r) => /Payment\/DoTransaction|DoMWalletTransaction|initiate-ma-transaction/.test(r.path));
const entryKinds = async (orderId: string) => (await h.ledger(orderId)).map((e) => e.kind).sort();

for (const method of ['jazzcash', 'easypaisa'] as const) {
  describe(`authorising a ${method} wallet`, () => {
    it('when the wallet is an ordinary number, the payment is AUTHORIZED and its amount held', async () => {
      const orderId = newOrder();
      const res = await h.authorize({ orderId, method, wallet: '03001234567' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        orderId,
        status: 'AUTHORIZED',
        outcome: 'approved',
        reference: txnRefFor(orderId, 1),
      });
      expect(h.sandboxTxn(txnRefFor(orderId, 1))).toMatchObject({ status: 'paid', amount: 149_900 });
      const [entry] = await h.ledger(orderId);
      expect(entry.lines).toEqual([
        { account: `holds:${method}`, debit: 149_900, credit: 0 },
        { account: `customer:${method}`, debit: 0, credit: 149_900 },
      ]);
    });

    it('when the wallet is 03000000002, the payment is DECLINED with PAYMENT_DECLINED and nothing is booked', async () => {
      const orderId = newOrder();
      const res = await h.authorize({ orderId, method, wallet: '03000000002' });
      expect(res.body).toMatchObject({ status: 'DECLINED', outcome: 'declined', reason: 'PAYMENT_DECLINED' });
      expect(await h.ledger(orderId)).toEqual([]);
    });

    it('when the wallet is 03000000003, the outcome is timeout, the payment VOIDED and the late debit reversed at the sandbox', async () => {
      const orderId = newOrder();
      const res = await h.authorize({ orderId, method, wallet: '03000000003' });
      expect(res.body).toMatchObject({ status: 'VOIDED', outcome: 'timeout', reason: 'PAYMENT_TIMEOUT' });
      expect(h.sandboxTxn(txnRefFor(orderId, 1))?.status).toBe('reversed');
      expect(await entryKinds(orderId)).toEqual(['authorize', 'void']); // the provider's debit, and its reversal
      expect((await h.record(orderId)).body).toMatchObject({ captured: { amount: 0 }, refunded: { amount: 0 } });
    });

    it('when the wallet is 03000000004, two 500s are retried, each in the trail, and there is exactly one debit and one AUTHORIZED payment', async () => {
      const orderId = newOrder();
      const res = await h.authorize({ orderId, method, wallet: '03000000004' });
      expect(res.body).toMatchObject({ status: 'AUTHORIZED', outcome: 'approved' });
      expect(debits(txnRefFor(orderId, 1))).toHaveLength(3); // 500, 500, approved
      const paid = [...h.sandboxes[method].transactions.values()].filter(
        (t) => t.order === orderId && t.status === 'paid',
      );
      expect(paid).toHaveLength(1);
      // Every request the provider saw, in the order it was sent: each one after the one before had ended.
      const trail = (await h.call('GET', `/api/payments/${res.body.paymentId}/attempts`, undefined, admin)).body.items;
      expect(trail.map((a: { result: string }) => a.result)).toEqual(['server_error', 'server_error', 'approved']);
      for (const [i, a] of trail.entries()) {
        expect(a).toMatchObject({
          operation: 'authorize',
          txnRef: txnRefFor(orderId, 1),
          durationMs: expect.any(Number),
        });
        if (i > 0) expect(Date.parse(a.startedAt)).toBeGreaterThanOrEqual(Date.parse(trail[i - 1].startedAt));
      }
      expect((await h.summary()).byOrder.filter((p) => p.orderId === orderId)).toHaveLength(1);
    });
  });
}

describe('authorising once per order', () => {
  it('when the same order is authorised twice, the second call answers the stored outcome without a second provider call', async () => {
    const orderId = newOrder();
    const first = await h.authorize({ orderId, method: 'jazzcash', wallet: '03001234567' });
    const second = await h.authorize({ orderId, method: 'jazzcash', wallet: '03001234567' });
    expect(second.body).toEqual(first.body);
    expect(debits(txnRefFor(orderId, 1))).toHaveLength(1);
  });

  it('when calls for one order overlap, they take turns and the provider is asked once', async () => {
    const orderId = newOrder();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => h.authorize({ orderId, method: 'easypaisa', wallet: '03000000004' })),
    );
    expect(new Set(answers.map((a) => a.body.paymentId)).size).toBe(1);
    expect(answers.every((a) => a.body.outcome === 'approved')).toBe(true);
    expect(debits(txnRefFor(orderId, 1))).toHaveLength(3); // one attempt: two 500s and the approval
    expect(await entryKinds(orderId)).toEqual(['authorize']);
    const trail = (await h.record(orderId)).body.attempts.map((a: { result: string }) => a.result);
    expect(trail).toEqual(['server_error', 'server_error', 'approved']);
  });

  it('after a crash mid-authorisation, the next call asks again with the same reference and there is one debit', async () => {
    const orderId = newOrder();
    const ref = await h.crashedMidCall(orderId);
    const res = await h.authorize({ orderId, method: 'jazzcash', wallet: '03001234567' });
    expect(res.body).toMatchObject({ status: 'AUTHORIZED', outcome: 'approved', reference: ref });
    expect([...h.sandboxes.jazzcash.transactions.values()].filter((t) => t.order === orderId)).toHaveLength(1);
    expect(await entryKinds(orderId)).toEqual(['authorize']);
  });

  it('after a crash mid-authorisation, a void reverses what the provider took and refuses the order', async () => {
    const orderId = newOrder();
    const ref = await h.crashedMidCall(orderId);
    expect((await h.void(orderId)).body).toEqual({ orderId, status: 'VOIDED' });
    expect(h.sandboxTxn(ref)?.status).toBe('reversed');
    expect(await entryKinds(orderId)).toEqual(['authorize', 'void']);
    expect((await h.authorize({ orderId, method: 'jazzcash', wallet: '03001234567' })).body).toMatchObject({
      status: 'VOIDED',
      outcome: 'declined',
    });
  });

  it('when the order comes back with another amount, it is refused with PAYMENT_MISMATCH', async () => {
    const orderId = newOrder();
    await h.authorize({ orderId, method: 'cod' });
    const again = await h.authorize({ orderId, method: 'cod', amount: 1 });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('PAYMENT_MISMATCH');
  });

  it('when the method is cash on delivery, it is AUTHORIZED at once without a provider', async () => {
    const orderId = newOrder();
    const before = h.sandboxes.requests.length;
    const res = await h.authorize({ orderId, method: 'cod' });
    expect(res.body).toMatchObject({ status: 'AUTHORIZED', outcome: 'approved' });
    expect(res.body.reference).toBeUndefined();
    expect(h.sandboxes.requests.length).toBe(before);
  });

  it('authorises the largest order the catalogue allows: 50 lines of 100 at Rs 100 million, and its fee', async () => {
    const amount = 50 * 100 * 10_000_000_000 + 45_000;
    for (const req of [{ method: 'cod' }, { method: 'jazzcash', wallet: '03001234567' }] as const) {
      const res = await h.authorize({ orderId: newOrder(), amount, ...req });
      expect(res.status, req.method).toBe(200);
      expect(res.body).toMatchObject({ status: 'AUTHORIZED', outcome: 'approved' });
    }
  });

  it('rejects bad input with VALIDATION_FAILED and changes nothing', async () => {
    const orderId = newOrder();
    const base = { orderId, userId: 'usr_ayesha', amount: 149_900, method: 'jazzcash', wallet: '03001234567' };
    const bad: [Record<string, unknown>, string][] = [
      [{ ...base, amount: 0 }, 'amount'],
      [{ ...base, amount: -5 }, 'amount'],
      [{ ...base, amount: 10.5 }, 'amount'],
      [{ ...base, amount: '149900' }, 'amount'],
      [{ ...base, method: 'card' }, 'method'],
      [{ ...base, wallet: '0300123' }, 'wallet'],
      [{ ...base, wallet: undefined }, 'wallet'],
      [{ ...base, method: 'cod' }, 'wallet'],
      [{ ...base, status: 'CAPTURED' }, 'status'],
      [{ ...base, orderId: '' }, 'orderId'],
    ];
    const before = h.sandboxes.requests.length;
    for (const [body, path] of bad) {
      const res = await h.call('POST', '/internal/payments/authorize', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect(h.sandboxes.requests.length).toBe(before);
    expect((await h.record(orderId)).status).toBe(404);
    const malformed = await h.svc.app.inject({
      method: 'POST',
      url: '/internal/payments/authorize',
      payload: '{"orderId":',
      headers: { 'x-internal-key': key, 'content-type': 'application/json' },
    });
    expect(malformed.json().code).toBe('VALIDATION_FAILED');
  });

  it('refuses callers without the internal key', async () => {
    const res = await h.call(
      'POST',
      '/internal/payments/authorize',
      { orderId: newOrder(), userId: 'u', amount: 1, method: 'cod' },
      {},
    );
    expect(res.status).toBe(401);
  });
});

describe('capture, void and refund', () => {
  it('when a wallet payment is captured, it is CAPTURED once, announced once, and can then only be refunded', async () => {
    const orderId = newOrder();
    await h.authorize({ orderId, method: 'jazzcash', wallet: '03001234567' });
    expect((await h.capture(orderId)).body).toEqual({ orderId, status: 'CAPTURED' });
    expect((await h.capture(orderId)).body).toEqual({ orderId, status: 'CAPTURED' });
    await vi.waitFor(() => expect(h.eventsOf(orderId, 'PaymentCaptured')).toHaveLength(1));
    expect(h.eventsOf(orderId, 'PaymentCaptured')[0].data.amount.amount).toBe(149_900);

    const voided = await h.void(orderId);
    expect(voided.status).toBe(409);
    expect(voided.body.code).toBe('PAYMENT_ALREADY_CAPTURED');

    expect((await h.refund(orderId)).body).toEqual({ orderId, status: 'REFUNDED' });
    expect((await h.refund(orderId)).body).toEqual({ orderId, status: 'REFUNDED' });
    expect(h.sandboxTxn(txnRefFor(orderId, 1))?.status).toBe('reversed');
    await vi.waitFor(() => expect(h.eventsOf(orderId, 'PaymentRefunded')).toHaveLength(1));
    expect((await h.record(orderId)).body).toMatchObject({
      status: 'REFUNDED',
      captured: { amount: 149_900 },
      refunded: { amount: 149_900 },
    });
    expect(await entryKinds(orderId)).toEqual(['authorize', 'capture', 'refund']);
    expect((await h.capture(orderId)).body.code).toBe('PAYMENT_NOT_CAPTURABLE');
  });

  it('when an authorised wallet payment is voided, the debit is reversed and it can no longer be captured', async () => {
    const orderId = newOrder();
    await h.authorize({ orderId, method: 'easypaisa', wallet: '03001234567' });
    expect((await h.void(orderId)).body).toEqual({ orderId, status: 'VOIDED' });
    expect((await h.void(orderId)).body).toEqual({ orderId, status: 'VOIDED' });
    expect(h.sandboxTxn(txnRefFor(orderId, 1))?.status).toBe('reversed');
    const capture = await h.capture(orderId);
    expect(capture.status).toBe(409);
    expect(capture.body.code).toBe('PAYMENT_NOT_CAPTURABLE');
    expect((await h.refund(orderId)).body.status).toBe('VOIDED');
    expect(await entryKinds(orderId)).toEqual(['authorize', 'void']);
  });

  it('when a declined payment is captured it is PAYMENT_NOT_CAPTURABLE, and voiding it changes nothing', async () => {
    const orderId = newOrder();
    await h.authorize({ orderId, method: 'jazzcash', wallet: '03000000002' });
    expect((await h.capture(orderId)).body.code).toBe('PAYMENT_NOT_CAPTURABLE');
    expect((await h.void(orderId)).body).toEqual({ orderId, status: 'DECLINED' });
    expect((await h.refund(orderId)).body).toEqual({ orderId, status: 'DECLINED' });
  });

  it('when the order is voided before it is authorised, the late authorisation is refused without calling the provider', async () => {
    const orderId = newOrder();
    expect((await h.void(orderId)).body).toEqual({ orderId, status: 'VOIDED' });
    const late = await h.authorize({ orderId, method: 'jazzcash', wallet: '03001234567' });
    expect(late.body).toMatchObject({ status: 'VOIDED', outcome: 'declined' });
    expect(h.providerCalls(txnRefFor(orderId, 1))).toHaveLength(0);
    expect((await h.record(orderId)).body).toMatchObject({
      userId: 'usr_ayesha',
      method: 'jazzcash',
      status: 'VOIDED',
    });
  });

  it('when a refund comes before any payment, it leaves a VOIDED tombstone', async () => {
    const orderId = newOrder();
    expect((await h.refund(orderId)).body).toEqual({ orderId, status: 'VOIDED' });
    expect((await h.authorize({ orderId, method: 'cod' })).body).toMatchObject({
      status: 'VOIDED',
      outcome: 'declined',
    });
  });

  it('answers NOT_FOUND for the capture or record of an order without a payment', async () => {
    const orderId = newOrder();
    expect((await h.capture(orderId)).body.code).toBe('NOT_FOUND');
    expect((await h.record(orderId)).body.code).toBe('NOT_FOUND');
  });
});

describe('cash on delivery', () => {
  const shipment = (orderId: string, status: ShipmentStatusChangedData['status'], version: number) =>
    envelope<ShipmentStatusChangedData>('shipping', {
      type: 'ShipmentStatusChanged',
      subject: orderId,
      data: {
        trackingNumber: 'TCS-1',
        orderId,
        userId: 'usr_ayesha',
        courier: 'TCS',
        city: 'Lahore',
        status,
        at: new Date().toISOString(),
        version,
      },
    });

  it('when the shipment is delivered, the cash is CAPTURED and announced, once', async () => {
    const orderId = newOrder();
    await h.authorize({ orderId, method: 'cod' });
    expect((await h.capture(orderId)).body).toEqual({ orderId, status: 'AUTHORIZED' }); // order confirmed: nothing collected yet
    await h.broker.publish(shipment(orderId, 'IN_TRANSIT', 3));
    expect((await h.record(orderId)).body.status).toBe('AUTHORIZED');
    const delivered = shipment(orderId, 'DELIVERED', 5);
    await h.broker.publish(delivered);
    await h.broker.publish(delivered); // redelivered
    expect((await h.record(orderId)).body).toMatchObject({ status: 'CAPTURED', captured: { amount: 149_900 } });
    await vi.waitFor(() => expect(h.eventsOf(orderId, 'PaymentCaptured')).toHaveLength(1));
    expect((await h.refund(orderId)).body).toEqual({ orderId, status: 'REFUNDED' });
    expect(await entryKinds(orderId)).toEqual(['authorize', 'capture', 'refund']);
    // Consumed through the kit: counted, with the consumer's lag.
    const metrics = (await h.svc.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/events_consumed_total\{[^}]*type="ShipmentStatusChanged"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/event_consumer_lag_seconds_count\{[^}]*\} [1-9]/);
  });

  it('when the order is cancelled before delivery, the authorisation is voided and a later delivery captures nothing', async () => {
    const orderId = newOrder();
    await h.authorize({ orderId, method: 'cod' });
    expect((await h.refund(orderId)).body).toEqual({ orderId, status: 'VOIDED' });
    await h.broker.publish(shipment(orderId, 'DELIVERED', 5));
    expect((await h.record(orderId)).body).toMatchObject({ status: 'VOIDED', captured: { amount: 0 } });
    expect(await entryKinds(orderId)).toEqual(['authorize', 'void']);
  });

  it('a delivery heard again, as a second event or after the cash was refunded, captures nothing more', async () => {
    const orderId = newOrder();
    await h.authorize({ orderId, method: 'cod' });
    await h.broker.publish(shipment(orderId, 'DELIVERED', 5));
    await h.broker.publish(shipment(orderId, 'OUT_FOR_DELIVERY', 4)); // the earlier step, late
    await h.broker.publish(shipment(orderId, 'DELIVERED', 5)); // another event of the same step
    expect((await h.refund(orderId)).body).toEqual({ orderId, status: 'REFUNDED' });
    await h.broker.publish(shipment(orderId, 'DELIVERED', 5));
    expect((await h.record(orderId)).body).toMatchObject({ status: 'REFUNDED', captured: { amount: 149_900 } });
    expect(await entryKinds(orderId)).toEqual(['authorize', 'capture', 'refund']);
    await vi.waitFor(() => expect(h.eventsOf(orderId, 'PaymentCaptured')).toHaveLength(1));
  });
});

describe('reading payments', () => {
  it('shows a customer only the payments of their own orders, and NOT_FOUND for anyone else’s order', async () => {
    const mine = newOrder();
    const theirs = newOrder();
    await h.authorize({ orderId: mine, method: 'cod', userId: 'usr_bilal' });
    await h.authorize({ orderId: theirs, method: 'jazzcash', wallet: '03001234567', userId: 'usr_chand' });

    const own = await h.call('GET', '/api/payments', undefined, customer('usr_bilal'));
    expect(own.body.items.map((p: { orderId: string }) => p.orderId)).toEqual([mine]);
    expect(own.body.items[0]).toMatchObject({
      method: 'cod',
      amount: { amount: 149_900, currency: 'PKR' },
      status: 'AUTHORIZED',
      reference: null,
    });
    expect(
      (await h.call('GET', `/api/payments?orderId=${mine}`, undefined, customer('usr_bilal'))).body.items,
    ).toHaveLength(1);

    const other = await h.call('GET', `/api/payments?orderId=${theirs}`, undefined, customer('usr_bilal'));
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('NOT_FOUND');
    const asAdmin = await h.call('GET', `/api/payments?orderId=${theirs}`, undefined, admin);
    expect(asAdmin.body.items[0]).toMatchObject({ orderId: theirs, method: 'jazzcash', status: 'AUTHORIZED' });

    expect((await h.call('GET', '/api/payments', undefined, { 'x-internal-key': key })).body.code).toBe(
      'UNAUTHENTICATED',
    );
    expect((await h.call('GET', '/api/payments/summary', undefined, customer('usr_bilal'))).body.code).toBe(
      'FORBIDDEN',
    );
    expect((await h.call('GET', '/api/payments/ledger', undefined, customer('usr_bilal'))).body.code).toBe('FORBIDDEN');
  });

  it("shows an admin a payment's provider calls, oldest first, with a decline's reason and no internal detail", async () => {
    const timedOut = newOrder();
    await h.authorize({ orderId: timedOut, method: 'jazzcash', wallet: '03000000003' });
    const declined = newOrder();
    await h.authorize({ orderId: declined, method: 'easypaisa', wallet: '03000000002' });
    const paymentOf = async (orderId: string) =>
      (await h.call('GET', `/api/payments?orderId=${orderId}`, undefined, admin)).body.items[0].id as string;
    const attempts = async (id: string, query = '') =>
      h.call('GET', `/api/payments/${id}/attempts${query}`, undefined, admin);

    const trail = (await attempts(await paymentOf(timedOut))).body;
    expect(trail.items.map((a: { operation: string; result: string }) => `${a.operation} ${a.result}`)).toEqual([
      'authorize timeout',
      'inquire paid',
      'reverse reversed',
    ]);
    expect(trail.items[0]).toEqual({
      provider: 'jazzcash',
      operation: 'authorize',
      txnRef: txnRefFor(timedOut, 1),
      result: 'timeout',
      startedAt: expect.any(String),
      durationMs: expect.any(Number),
      at: expect.any(String),
    });
    expect(trail.nextCursor).toBeNull();
    const [decline] = (await attempts(await paymentOf(declined))).body.items;
    expect(decline).toMatchObject({ provider: 'easypaisa', result: 'declined', detail: expect.any(String) });

    const first = await attempts(await paymentOf(timedOut), '?limit=2');
    expect(first.body.items).toHaveLength(2);
    const rest = await attempts(await paymentOf(timedOut), `?limit=2&cursor=${first.body.nextCursor}`);
    expect(rest.body).toMatchObject({ items: [{ operation: 'reverse' }], nextCursor: null });

    expect((await attempts('pay_nobody')).body.code).toBe('NOT_FOUND');
    const made = Buffer.from(JSON.stringify(['x'])).toString('base64url');
    expect((await attempts(await paymentOf(timedOut), `?cursor=${made}`)).body.code).toBe('VALIDATION_FAILED');
    const asCustomer = await h.call(
      'GET',
      `/api/payments/${await paymentOf(declined)}/attempts`,
      undefined,
      customer('usr_ayesha'),
    );
    expect(asCustomer.body.code).toBe('FORBIDDEN');
  });

  it('says when each provider call was sent and how long it took; a call recorded before calls were timed reads without', async () => {
    const orderId = newOrder();
    await h.authorize({ orderId, method: 'easypaisa', wallet: '03000000003' });
    const paymentId = (await h.call('GET', `/api/payments?orderId=${orderId}`, undefined, admin)).body.items[0].id;
    const trail = async () => (await h.call('GET', `/api/payments/${paymentId}/attempts`, undefined, admin)).body.items;
    const [timedOut, ...rest] = await trail();
    // The debit waited out the provider's deadline (500 ms here): it was sent that long before it was recorded.
    expect(timedOut).toMatchObject({ operation: 'authorize', result: 'timeout' });
    expect(timedOut.durationMs).toBeGreaterThanOrEqual(500);
    expect(Date.parse(timedOut.at) - Date.parse(timedOut.startedAt)).toBeGreaterThanOrEqual(timedOut.durationMs - 2);
    for (const call of rest) {
      expect(call.durationMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(call.startedAt)).toBeGreaterThanOrEqual(Date.parse(timedOut.startedAt) + timedOut.durationMs);
    }
    await h.svc.db.query(
      `INSERT INTO provider_attempts (payment_id, provider, operation, txn_ref, result) VALUES ($1, 'easypaisa', 'inquire', 'old', 'paid')`,
      [paymentId],
    );
    const old = (await trail()).at(-1);
    expect(old).toEqual({
      provider: 'easypaisa',
      operation: 'inquire',
      txnRef: 'old',
      result: 'paid',
      at: expect.any(String),
    });
  });

  it('pages an admin through every payment, newest first', async () => {
    const first = await h.call('GET', '/api/payments?limit=2', undefined, admin);
    expect(first.body.items).toHaveLength(2);
    const next = await h.call('GET', `/api/payments?limit=2&cursor=${first.body.nextCursor}`, undefined, admin);
    expect(next.body.items[0].createdAt <= first.body.items[1].createdAt).toBe(true);
    expect(next.body.items[0].id).not.toBe(first.body.items[1].id);
  });
});

describe('the ledger', () => {
  it('refuses an entry that does not balance, in the database as in the code', async () => {
    const orderId = newOrder();
    const { body } = await h.authorize({ orderId, method: 'cod' });
    const write = h.svc.db.transaction(async (tx) => {
      const [e] = await tx.query(
        "INSERT INTO journal_entries (payment_id, order_id, kind) VALUES ($1, $2, 'capture') RETURNING id",
        [body.paymentId, orderId],
      );
      await tx.query("INSERT INTO journal_lines (entry_id, line, account, debit) VALUES ($1, 1, 'captured:cod', 100)", [
        e.id,
      ]);
      await tx.query("INSERT INTO journal_lines (entry_id, line, account, credit) VALUES ($1, 2, 'holds:cod', 99)", [
        e.id,
      ]);
    });
    await expect(write).rejects.toThrow(/does not balance/);
    await expect(h.svc.db.query("DELETE FROM journal_lines WHERE account = 'holds:cod'")).rejects.toThrow(
      /append-only/,
    );
  });

  it('pages the summary newest first: every payment once, a cursor after each page but the last', async () => {
    for (let i = 0; i < 3; i++) await h.authorize({ orderId: newOrder(), method: 'cod' });
    const all = await h.summary();
    expect([all.truncated, all.nextCursor]).toEqual([false, null]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: PaymentSummary = (await h.call('GET', `/api/payments/summary${query}`, undefined, admin)).body;
      expect(page.byOrder.length).toBeLessThanOrEqual(2);
      expect(page.truncated).toBe(page.nextCursor !== null);
      expect(page.ledger).toEqual(all.ledger);
      seen.push(...page.byOrder.map((p) => p.orderId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.byOrder.map((p) => p.orderId));
    const forged = await h.call('GET', '/api/payments/summary?cursor=abc', undefined, admin);
    expect([forged.status, forged.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('sums every account and lists the journal of one order', async () => {
    const { ledger } = await h.summary();
    expect(ledger.entries).toBeGreaterThan(0);
    const total = ledger.accounts.reduce((sum, a) => sum + a.balance, 0);
    expect(total).toBe(0);
    const orderId = newOrder();
    await h.authorize({ orderId, method: 'easypaisa', wallet: '03001234567' });
    await h.capture(orderId);
    expect(await h.ledger(orderId)).toMatchObject([
      {
        kind: 'capture',
        lines: [
          { account: 'captured:easypaisa', debit: 149_900 },
          { account: 'holds:easypaisa', credit: 149_900 },
        ],
      },
      { kind: 'authorize' },
    ]);
  });
});

describe('operations', () => {
  it('exposes each provider’s breaker state as a gauge', async () => {
    const res = await h.svc.app.inject({ url: '/metrics', headers: { 'x-internal-key': key } });
    expect(res.body).toMatch(/payments_circuit_breaker_state\{[^}]*provider="jazzcash"[^}]*\} 0/);
    expect(res.body).toMatch(/payments_circuit_breaker_state\{[^}]*provider="easypaisa"[^}]*\} 0/);
  });
});
