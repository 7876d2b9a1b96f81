import { createServer } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { txnRefFor } from '../txn-ref.ts';
import { createJazzCashProvider } from './client.ts';
import { inquiryFields, jazzCashPaths, mwalletFields, signJazzCashFields } from './format.ts';
import { createJazzCashSandbox } from './sandbox.ts';

const merchant = { merchantId: 'MC12345', password: 'pass-1', integritySalt: 'salt-1' };
const sandbox = createJazzCashSandbox({ ...merchant, slowMs: 3_000 });
let baseUrl = '';

// Payment requests the sandbox received, to tell a retried call from one that was not.
let paymentRequests = 0;
sandbox.app.addHook('onRequest', async (req) => {
  if (req.url === jazzCashPaths.mwallet) paymentRequests++;
});

beforeAll(async () => {
  baseUrl = await sandbox.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => sandbox.app.close());

const provider = () => createJazzCashProvider({ ...merchant, baseUrl, timeoutMs: 1_000, retries: 2, backoffMs: 5 });
let orders = 0;
const order = (wallet: string) => ({ orderId: `ord-jc-${++orders}`, attempt: 1, amount: 149_900, wallet });
const post = async (path: string, body: object) =>
  (
    await request(new URL(path, baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  ).body.json() as Promise<Record<string, string>>;

describe('JazzCash adapter against the sandbox', () => {
  it('when the wallet is an ordinary number, the payment is approved and the sandbox records it paid', async () => {
    const result = await provider().authorize(order('03001234567'));
    expect(result.outcome).toBe('approved');
    if (result.outcome !== 'approved') return;
    expect(sandbox.transactions.get(result.reference)?.status).toBe('paid');
    expect(await provider().inquire(result.reference)).toEqual({ status: 'paid', reference: result.reference });
  });

  it('when the wallet is 03000000002, the payment is declined with 402 (insufficient balance)', async () => {
    const result = await provider().authorize(order('03000000002'));
    expect(result).toMatchObject({ outcome: 'declined', code: '402' });
  });

  it('when the wallet is 03000000004, two 500s are retried and exactly one paid transaction is recorded', async () => {
    const req = order('03000000004');
    const result = await provider().authorize(req);
    expect(result.outcome).toBe('approved');
    const paid = [...sandbox.transactions.values()].filter((t) => t.order === req.orderId && t.status === 'paid');
    expect(paid).toHaveLength(1);
  });

  it('when the wallet is 03000000003, the call is unavailable, a later inquiry finds it paid, and reverse refunds it', async () => {
    const client = provider();
    const sentBefore = paymentRequests;
    const req = order('03000000003');
    const result = await client.authorize(req);
    expect(result.outcome).toBe('unavailable');
    expect(paymentRequests - sentBefore).toBe(1); // not retried after the timeout
    const ref = txnRefFor(req.orderId, req.attempt);
    expect((await client.inquire(ref)).status).toBe('paid');
    expect(await client.reverse(ref)).toEqual({ ok: true });
    expect(sandbox.transactions.get(ref)?.status).toBe('reversed');
    expect(await client.reverse(ref)).toEqual({ ok: true }); // idempotent
    expect((await client.inquire(ref)).status).toBe('reversed');
  });

  it('when a reference was never sent, inquiry says not_found and reverse is not ok', async () => {
    expect(await provider().inquire('TNEVERSENT')).toEqual({ status: 'not_found' });
    expect(await provider().reverse('TNEVERSENT')).toEqual({ ok: false });
  });

  it('when the merchant password is wrong, the payment is declined with 110 and nothing is recorded', async () => {
    const before = sandbox.transactions.size;
    const client = createJazzCashProvider({ ...merchant, password: 'wrong', baseUrl, timeoutMs: 1_000, retries: 0 });
    expect(await client.authorize(order('03001234567'))).toMatchObject({ outcome: 'declined', code: '110' });
    expect(sandbox.transactions.size).toBe(before);
  });
});

describe('JazzCash sandbox', () => {
  it('when the secure hash is tampered, the sandbox refuses with 110 and records nothing', async () => {
    const fields = mwalletFields({
      ...merchant,
      txnRef: 'TTAMPERED',
      amount: 100,
      wallet: '03001234567',
      billReference: 'ord-x',
      description: 'x',
      at: new Date(),
      expiry: new Date(Date.now() + 60_000),
    });
    const signed = signJazzCashFields(fields, merchant.integritySalt);
    const answer = await post(jazzCashPaths.mwallet, { ...signed, pp_Amount: '1' });
    expect(answer.pp_ResponseCode).toBe('110');
    expect(sandbox.transactions.has('TTAMPERED')).toBe(false);
  });

  it('when the body is not JSON, the sandbox answers 200 with 110 instead of failing', async () => {
    const res = await request(new URL(jazzCashPaths.inquiry, baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as Record<string, string>).pp_ResponseCode).toBe('110');
  });

  it('when an inquiry is unsigned, the sandbox refuses it with 110', async () => {
    const answer = await post(jazzCashPaths.inquiry, inquiryFields({ ...merchant, txnRef: 'T1' }));
    expect(answer.pp_ResponseCode).toBe('110');
  });
});

describe('JazzCash circuit breaker', () => {
  it('when calls keep failing, the breaker opens and later calls are unavailable without a request', async () => {
    const deadPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const client = createJazzCashProvider({
      ...merchant,
      baseUrl: `http://127.0.0.1:${deadPort}`,
      retries: 1,
      backoffMs: 1,
      breakerThreshold: 3,
    });
    for (let i = 0; i < 3; i++) expect((await client.authorize(order('03001234567'))).outcome).toBe('unavailable');
    expect(client.breakerState()).toBe('open');
    expect(await client.authorize(order('03001234567'))).toEqual({
      outcome: 'unavailable',
      message: 'circuit breaker open',
    });
  });
});
