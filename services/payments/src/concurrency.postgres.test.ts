import { randomUUID } from 'node:crypto';
import { errorOfRefusal } from '@bazaar/kit/grpc';
import { postgresOrSkip, scratchDatabases } from '@bazaar/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureOutcomeMessage } from './api/internal-grpc.ts';
import { paymentsInternal } from './contracts.ts';
import { type Sandboxes, startSandboxes } from './main.ts';
import { txnRefFor } from './providers/index.ts';
import { expectSoundLedger, grpcClientOf, type Harness, harness, key } from './test-harness.ts';

const serverUrl = await postgresOrSkip();

describe.skipIf(!serverUrl)('payments on PostgreSQL under concurrency, two replicas', () => {
  let sandboxes: Sandboxes;
  let replicas: Harness[];
  const scratch = scratchDatabases(serverUrl!);

  beforeAll(async () => {
    const { name: databaseName } = await scratch.create('payments_test');
    sandboxes = await startSandboxes({ jazzcashPort: 0, easypaisaPort: 0, slowMs: 600 });
    const platform = { databaseUrl: serverUrl, databaseName };
    replicas = [await harness({ platform, sandboxes }), await harness({ platform, sandboxes })];
  });
  afterAll(async () => {
    for (const r of replicas ?? []) await r.stop();
    await sandboxes?.stop();
    await scratch.drop();
  });

  // Real HTTP on real ports, so the calls really overlap in both processes' connection pools.
  const post = async (replica: number, path: string, body?: unknown) => {
    const res = await fetch(new URL(path, replicas[replica % 2].svc.url), {
      method: 'POST',
      headers: { 'x-internal-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const debits = (ref: string) =>
    sandboxes.requests.filter(
      (r) => r.txnRef === ref && /Payment\/DoTransaction|DoMWalletTransaction|initiate-ma-transaction/.test(r.path),
    );

  it('when 20 authorisations of one order race across two replicas, the provider is asked once and all get the same answer', async () => {
    const orderId = `ord_${randomUUID()}`;
    const request = { orderId, userId: 'usr_ayesha', amount: 249_900, method: 'jazzcash', wallet: '03000000004' };
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(i, paymentsInternal.authorize, request)),
    );
    expect(
      answers.every((a) => a.status === 200 && a.body.outcome === 'approved' && a.body.status === 'AUTHORIZED'),
    ).toBe(true);
    expect(new Set(answers.map((a) => a.body.paymentId)).size).toBe(1);
    expect(debits(txnRefFor(orderId, 1))).toHaveLength(3); // one attempt: two 500s, then the approval
    const paid = [...sandboxes.jazzcash.transactions.values()].filter(
      (t) => t.order === orderId && t.status === 'paid',
    );
    expect(paid).toHaveLength(1);
    const record = await replicas[0].record(orderId);
    // The trail is that one attempt's requests, not one per caller.
    expect(
      record.body.attempts.map((a: { operation: string; result: string }) => `${a.operation} ${a.result}`),
    ).toEqual(['authorize server_error', 'authorize server_error', 'authorize approved']);
    expect((await replicas[1].ledger(orderId)).map((e) => e.kind)).toEqual(['authorize']);
    await expectSoundLedger(replicas[0]);
  });

  it('when 20 authorisations of a slow wallet race, one times out, the debit is reversed once, and all answer timeout', async () => {
    const orderId = `ord_${randomUUID()}`;
    const request = { orderId, userId: 'usr_ayesha', amount: 99_900, method: 'easypaisa', wallet: '03000000003' };
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(i, paymentsInternal.authorize, request)),
    );
    expect(answers.every((a) => a.body.outcome === 'timeout' && a.body.status === 'VOIDED')).toBe(true);
    expect(debits(txnRefFor(orderId, 1))).toHaveLength(1);
    expect(sandboxes.easypaisa.transactions.get(txnRefFor(orderId, 1))?.status).toBe('reversed');
    const record = await replicas[1].record(orderId);
    expect(record.body.attempts.filter((a: { operation: string }) => a.operation === 'reverse')).toHaveLength(1);
    await expectSoundLedger(replicas[0]);
  });

  it('when captures and voids race for one payment, one kind wins and the books show only that one', async () => {
    const orderId = `ord_${randomUUID()}`;
    await post(0, paymentsInternal.authorize, {
      orderId,
      userId: 'usr_ayesha',
      amount: 149_900,
      method: 'easypaisa',
      wallet: '03001234567',
    });
    const calls = Array.from({ length: 20 }, (_, i) =>
      post(i, i % 4 < 2 ? paymentsInternal.capture(orderId) : paymentsInternal.void(orderId)),
    );
    const answers = await Promise.all(calls);
    const final = (await replicas[0].record(orderId)).body.status;
    expect(['CAPTURED', 'VOIDED']).toContain(final);
    expect(answers.every((a) => (a.status === 200 ? a.body.status === final : a.status === 409))).toBe(true);
    const kinds = (await replicas[0].ledger(orderId)).map((e) => e.kind).sort();
    expect(kinds).toEqual(final === 'CAPTURED' ? ['authorize', 'capture'] : ['authorize', 'void']);
    expect(sandboxes.easypaisa.transactions.get(txnRefFor(orderId, 1))?.status).toBe(
      final === 'CAPTURED' ? 'paid' : 'reversed',
    );
    await expectSoundLedger(replicas[1]);
  });

  it('when capture batches race across two replicas, orders repeated and in either order, with voids among them, each payment is captured or voided once', async () => {
    const orders = Array.from({ length: 10 }, () => `ord_${randomUUID()}`);
    for (const orderId of orders)
      await post(0, paymentsInternal.authorize, {
        orderId,
        userId: 'usr_ayesha',
        amount: 99_900,
        method: 'jazzcash',
        wallet: '03001234567',
      });
    const clients = replicas.map((r) => grpcClientOf(r, [], 10_000));
    try {
      // Six batches over both replicas, each with the orders in another order; two orders voided meanwhile.
      const batches = Array.from({ length: 6 }, (_, i) => {
        const orderIds = i % 2 === 0 ? [...orders] : [...orders].reverse();
        return clients[i % 2].call<{ outcomes: CaptureOutcomeMessage[] }>('CaptureMany', {
          orderIds: orderIds.slice(i % 3),
        });
      });
      const voids = orders.slice(0, 2).map((orderId, i) => post(i, paymentsInternal.void(orderId)));
      const [answers] = await Promise.all([Promise.all(batches), Promise.all(voids)]);

      const final = new Map<string, string>();
      for (const orderId of orders) final.set(orderId, (await replicas[0].record(orderId)).body.status);
      expect(orders.slice(2).every((id) => final.get(id) === 'CAPTURED')).toBe(true);
      for (const [i, { outcomes }] of answers.entries()) {
        const orderIds = (i % 2 === 0 ? [...orders] : [...orders].reverse()).slice(i % 3);
        expect(outcomes).toHaveLength(orderIds.length);
        for (const [j, o] of outcomes.entries()) {
          const status = final.get(orderIds[j]);
          if (o.captured) expect(o.captured).toEqual({ orderId: orderIds[j], status: 'CAPTURED' });
          else
            expect([status, errorOfRefusal('payments', o.refusal!).code]).toEqual(['VOIDED', 'PAYMENT_NOT_CAPTURABLE']);
          if (o.captured) expect(status).toBe('CAPTURED');
        }
      }
      for (const orderId of orders) {
        const kinds = (await replicas[1].ledger(orderId)).map((e) => e.kind).sort();
        expect(kinds).toEqual(final.get(orderId) === 'CAPTURED' ? ['authorize', 'capture'] : ['authorize', 'void']);
      }
      await expectSoundLedger(replicas[0]);
    } finally {
      for (const c of clients) c.close();
    }
  });
});
