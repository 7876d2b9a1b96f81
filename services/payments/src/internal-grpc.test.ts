import { randomUUID } from 'node:crypto';
import { Code, errorOfRefusal, type GrpcClient, type GrpcError } from '@bazaar/kit/grpc';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuthorizationMessage, CaptureOutcomeMessage } from './api/internal-grpc.ts';
import { txnRefFor } from './providers/index.ts';
import { expectSoundLedger, grpcClientOf, type Harness, harness } from './test-harness.ts';

let h: Harness;
let client: GrpcClient;
beforeAll(async () => {
  h = await harness();
  client = grpcClientOf(h, ['Authorize', 'Capture', 'Void', 'Refund']);
});
afterAll(async () => {
  client?.close();
  await h?.stop();
});
afterEach(() => expectSoundLedger(h));

const newOrder = () => `ord_${randomUUID()}`;
const authorize = (req: { orderId: string; method: string; wallet?: string }) =>
  client.call<AuthorizationMessage>('Authorize', { userId: 'usr_ayesha', amount: 149_900, ...req });
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (err: GrpcError) => err,
  );

describe('payments over gRPC', () => {
  it('authorises a wallet once, captures and refunds it, through the same use cases as REST', async () => {
    const orderId = newOrder();
    const first = await authorize({ orderId, method: 'jazzcash', wallet: '03001234567' });
    expect(first).toMatchObject({
      orderId,
      status: 'AUTHORIZED',
      outcome: 'approved',
      reference: txnRefFor(orderId, 1),
    });
    expect(first.reason).toBeUndefined();
    expect(await authorize({ orderId, method: 'jazzcash', wallet: '03001234567' })).toEqual(first);
    expect(await client.call('Capture', { orderId })).toEqual({ orderId, status: 'CAPTURED' });
    expect(await client.call('Refund', { orderId })).toEqual({ orderId, status: 'REFUNDED' });
    expect((await h.record(orderId)).body).toMatchObject({ status: 'REFUNDED', captured: { amount: 149_900 } });
  });

  it('cash on delivery needs no wallet and is approved at once', async () => {
    const orderId = newOrder();
    expect(await authorize({ orderId, method: 'cod' })).toMatchObject({
      orderId,
      status: 'AUTHORIZED',
      outcome: 'approved',
    });
    expect(await client.call('Void', { orderId })).toEqual({ orderId, status: 'VOIDED' });
  });

  it('a declined payment is an answer, and capturing it is refused with FAILED_PRECONDITION, PAYMENT_NOT_CAPTURABLE', async () => {
    const orderId = newOrder();
    const declined = await authorize({ orderId, method: 'easypaisa', wallet: '03000000002' });
    expect(declined).toMatchObject({ status: 'DECLINED', outcome: 'declined', reason: 'PAYMENT_DECLINED' });
    const err = await refusal(client.call('Capture', { orderId }));
    expect([err.grpcCode, err.status, err.code]).toEqual([Code.FAILED_PRECONDITION, 409, 'PAYMENT_NOT_CAPTURABLE']);
  });

  it('refuses what the REST schema refuses with INVALID_ARGUMENT, VALIDATION_FAILED', async () => {
    const err = await refusal(authorize({ orderId: newOrder(), method: 'jazzcash' }));
    expect([err.grpcCode, err.code]).toEqual([Code.INVALID_ARGUMENT, 'VALIDATION_FAILED']);
    const bad = await refusal(authorize({ orderId: newOrder(), method: 'bitcoin' }));
    expect([bad.grpcCode, bad.code]).toEqual([Code.INVALID_ARGUMENT, 'VALIDATION_FAILED']);
  });
});

describe('CaptureMany: the saga’s captures gathered into one call', () => {
  const captureMany = async (orderIds: string[]) =>
    (await client.call<{ outcomes: CaptureOutcomeMessage[] }>('CaptureMany', { orderIds })).outcomes;
  const refusedWith = (o: CaptureOutcomeMessage) => {
    expect(o.captured).toBeFalsy();
    const err = errorOfRefusal('payments', o.refusal!);
    return [err.grpcCode, err.status, err.code];
  };

  it('answers each order as Capture alone would, in order, a refused one holding none of the others back', async () => {
    const [wallet, again, cod, declined, unknown] = [newOrder(), newOrder(), newOrder(), newOrder(), newOrder()];
    await authorize({ orderId: wallet, method: 'jazzcash', wallet: '03001234567' });
    await authorize({ orderId: again, method: 'easypaisa', wallet: '03001234567' });
    await client.call('Capture', { orderId: again });
    await authorize({ orderId: cod, method: 'cod' });
    await authorize({ orderId: declined, method: 'jazzcash', wallet: '03000000002' });

    const outcomes = await captureMany([wallet, again, cod, declined, unknown, '', wallet]);
    expect(outcomes.slice(0, 3).map((o) => o.captured)).toEqual([
      { orderId: wallet, status: 'CAPTURED' },
      { orderId: again, status: 'CAPTURED' },
      { orderId: cod, status: 'AUTHORIZED' }, // cash on delivery is captured at delivery
    ]);
    expect(refusedWith(outcomes[3])).toEqual([Code.FAILED_PRECONDITION, 409, 'PAYMENT_NOT_CAPTURABLE']);
    expect(refusedWith(outcomes[4])).toEqual([Code.NOT_FOUND, 404, 'NOT_FOUND']);
    expect(refusedWith(outcomes[5])).toEqual([Code.INVALID_ARGUMENT, 400, 'VALIDATION_FAILED']);
    expect(outcomes[6].captured).toEqual({ orderId: wallet, status: 'CAPTURED' });
    // Captured once each: the ledger holds one capture for the order named twice, and the repeat changed nothing.
    for (const orderId of [wallet, again])
      expect((await h.record(orderId)).body).toMatchObject({ status: 'CAPTURED', captured: { amount: 149_900 } });
  });

  it('refuses an empty batch, or one over 100 orders, as a whole with INVALID_ARGUMENT', async () => {
    for (const orderIds of [[], Array.from({ length: 101 }, newOrder)]) {
      const err = await refusal(captureMany(orderIds));
      expect([err.grpcCode, err.code]).toEqual([Code.INVALID_ARGUMENT, 'VALIDATION_FAILED']);
    }
  });
});
