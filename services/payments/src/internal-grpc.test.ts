import { randomUUID } from 'node:crypto';
import { Code, createGrpcClient, type GrpcClient, type GrpcError } from '@bazaar/kit/grpc';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AuthorizationMessage, paymentsService } from './api/internal-grpc.ts';
import { txnRefFor } from './providers/index.ts';
import { expectSoundLedger, type Harness, harness, key } from './test-harness.ts';

let h: Harness;
let client: GrpcClient;
beforeAll(async () => {
  h = await harness();
  client = createGrpcClient({
    upstream: 'payments',
    service: paymentsService(),
    target: h.svc.grpcUrl,
    tracer: h.svc.tracer,
    internalKey: key,
    timeoutMs: 5000,
    idempotent: ['Authorize', 'Capture', 'Void', 'Refund'],
  });
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
