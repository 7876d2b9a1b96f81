// A lease that runs out while its holder waits on the provider is taken over, and the late holder's writes and
// reversals are refused: two replicas never capture and give back the same money. The provider's slowness is a
// sandbox hold at one exact step, and the lease runs out by being aged in the database: no timing luck involved.
import { randomUUID } from 'node:crypto';
import { postgresOrSkip, scratchDatabases } from '@bazaar/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsInternal } from './contracts.ts';
import { type Sandboxes, startSandboxes } from './main.ts';
import { easyPaisaPaths } from './providers/easypaisa/format.ts';
import { txnRefFor } from './providers/index.ts';
import { expectSoundLedger, type Harness, harness, key } from './test-harness.ts';

const serverUrl = await postgresOrSkip();

describe.skipIf(!serverUrl)('payments leases on PostgreSQL, two replicas', () => {
  let sandboxes: Sandboxes;
  let replicas: Harness[];
  const scratch = scratchDatabases(serverUrl!);

  beforeAll(async () => {
    const { name: databaseName } = await scratch.create('payments_lease_test');
    sandboxes = await startSandboxes({ jazzcashPort: 0, easypaisaPort: 0 });
    const platform = { databaseUrl: serverUrl, databaseName };
    // A deadline long enough that a held answer is the holder's only wait, short enough for a timeout to be quick.
    const config = { timeoutMs: 1500 };
    replicas = [await harness({ platform, sandboxes, config }), await harness({ platform, sandboxes, config })];
  });
  afterAll(async () => {
    for (const r of replicas ?? []) await r.stop();
    await sandboxes?.stop();
    await scratch.drop();
  });

  const post = async (replica: number, path: string, body?: unknown) => {
    const res = await fetch(new URL(path, replicas[replica].svc.url), {
      method: 'POST',
      headers: { 'x-internal-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  /** As if the lease's time had passed while the provider kept its answer. */
  const leaseRunsOut = (orderId: string) =>
    replicas[1].svc.db.query(`UPDATE payments SET lease_until = now() - interval '1 ms' WHERE order_id = $1`, [
      orderId,
    ]);
  const kinds = async (orderId: string) => (await replicas[0].ledger(orderId)).map((e) => e.kind).sort();
  const authorization = (orderId: string) => ({
    orderId,
    userId: 'usr_ayesha',
    amount: 149_900,
    method: 'easypaisa',
    wallet: '03001234567',
  });

  it('when a void outlives its lease at the provider and a capture on another replica takes over, the void reverses nothing and answers PAYMENT_ALREADY_CAPTURED', async () => {
    const orderId = `ord_${randomUUID()}`;
    const ref = txnRefFor(orderId, 1);
    expect((await post(0, paymentsInternal.authorize, authorization(orderId))).body.status).toBe('AUTHORIZED');

    const inquiry = sandboxes.holdNext(ref, easyPaisaPaths.inquire);
    const voiding = post(0, paymentsInternal.void(orderId));
    await inquiry.reached;
    await leaseRunsOut(orderId);
    expect(await post(1, paymentsInternal.capture(orderId))).toMatchObject({
      status: 200,
      body: { status: 'CAPTURED' },
    });
    inquiry.release();

    const voided = await voiding;
    expect([voided.status, voided.body.code]).toEqual([409, 'PAYMENT_ALREADY_CAPTURED']);
    expect(replicas[0].providerCalls(ref, easyPaisaPaths.reverse)).toHaveLength(0);
    expect(sandboxes.easypaisa.transactions.get(ref)?.status).toBe('paid');
    expect(await kinds(orderId)).toEqual(['authorize', 'capture']);
    await expectSoundLedger(replicas[0]);
  });

  it('when a timed-out authorisation outlives its lease before its reversal, and a resumed one is approved and captured, the late one reverses nothing', async () => {
    const orderId = `ord_${randomUUID()}`;
    const ref = txnRefFor(orderId, 1);
    const debit = sandboxes.holdNext(ref, easyPaisaPaths.initiateMa);
    const inquiry = sandboxes.holdNext(ref, easyPaisaPaths.inquire);
    const first = post(0, paymentsInternal.authorize, authorization(orderId));
    await debit.reached; // debited, and the answer kept past the deadline: the first caller inquires next
    await inquiry.reached;
    await leaseRunsOut(orderId);
    const resumed = await post(1, paymentsInternal.authorize, authorization(orderId));
    expect(resumed.body).toMatchObject({ status: 'AUTHORIZED', outcome: 'approved' });
    expect((await post(1, paymentsInternal.capture(orderId))).body.status).toBe('CAPTURED');
    inquiry.release();
    debit.release();

    const late = await first;
    expect(late).toMatchObject({ status: 200, body: { paymentId: resumed.body.paymentId, status: 'CAPTURED' } });
    expect(replicas[0].providerCalls(ref, easyPaisaPaths.reverse)).toHaveLength(0);
    expect(sandboxes.easypaisa.transactions.get(ref)?.status).toBe('paid');
    expect(await kinds(orderId)).toEqual(['authorize', 'capture']);
    await expectSoundLedger(replicas[0]);
  });
});
