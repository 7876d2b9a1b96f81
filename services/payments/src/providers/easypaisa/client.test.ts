import { createServer } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { txnRefFor } from '../txn-ref.ts';
import { createEasyPaisaProvider } from './client.ts';
import { credentialsHeader, easyPaisaPaths } from './format.ts';
import { createEasyPaisaSandbox } from './sandbox.ts';

const merchant = { storeId: '4321', username: 'bazaar', password: 'secret' };
const sandbox = createEasyPaisaSandbox({ ...merchant, slowMs: 3_000 });
let baseUrl = '';

// Payment requests the sandbox received, to tell a retried call from one that was not.
let paymentRequests = 0;
sandbox.app.addHook('onRequest', async (req) => {
  if (req.url === easyPaisaPaths.initiateMa) paymentRequests++;
});

beforeAll(async () => {
  baseUrl = await sandbox.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => sandbox.app.close());

const provider = () => createEasyPaisaProvider({ ...merchant, baseUrl, timeoutMs: 1_000, retries: 2, backoffMs: 5 });
let orders = 0;
const order = (wallet: string) => ({ orderId: `ord-ep-${++orders}`, attempt: 1, amount: 149_900, wallet });
const post = async (body: object, headers = credentialsHeader(merchant.username, merchant.password)) =>
  (
    await request(new URL(easyPaisaPaths.initiateMa, baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
  ).body.json() as Promise<Record<string, string>>;
const validBody = {
  storeId: merchant.storeId,
  orderId: 'TDIRECT',
  transactionAmount: '10.00',
  transactionType: 'MA',
  mobileAccountNo: '03001234567',
  emailAddress: 'a@b.pk',
};

describe('EasyPaisa adapter against the sandbox', () => {
  it('when the wallet is an ordinary number, the payment is approved and the sandbox records it paid in paisa', async () => {
    const result = await provider().authorize(order('03001234567'));
    expect(result.outcome).toBe('approved');
    if (result.outcome !== 'approved') return;
    expect(sandbox.transactions.get(result.reference)).toMatchObject({ status: 'paid', amount: 149_900 });
    expect(await provider().inquire(result.reference)).toEqual({ status: 'paid', reference: result.reference });
  });

  it('when the wallet is 03000000002, the payment is declined with 0013 (low balance)', async () => {
    const req = order('03000000002');
    expect(await provider().authorize(req)).toMatchObject({ outcome: 'declined', code: '0013' });
    expect((await provider().inquire(txnRefFor(req.orderId, req.attempt))).status).toBe('failed');
  });

  it('when the wallet is 03000000004, two 500s are retried and exactly one paid transaction is recorded', async () => {
    const req = order('03000000004');
    expect((await provider().authorize(req)).outcome).toBe('approved');
    const paid = [...sandbox.transactions.values()].filter((t) => t.order === req.orderId && t.status === 'paid');
    expect(paid).toHaveLength(1);
  });

  it('when the wallet is 03000000003, the call is unavailable, a later inquiry finds it paid, and reverse voids it', async () => {
    const client = provider();
    const req = order('03000000003');
    const sentBefore = paymentRequests;
    expect((await client.authorize(req)).outcome).toBe('unavailable');
    expect(paymentRequests - sentBefore).toBe(1); // not retried after the timeout
    const ref = txnRefFor(req.orderId, req.attempt);
    expect((await client.inquire(ref)).status).toBe('paid');
    expect(await client.reverse(ref)).toEqual({ ok: true });
    expect(sandbox.transactions.get(ref)?.status).toBe('reversed');
    expect(await client.reverse(ref)).toEqual({ ok: true }); // idempotent
  });

  it('when an order was never sent, inquiry says not_found and reverse is not ok', async () => {
    expect(await provider().inquire('TNEVERSENT')).toEqual({ status: 'not_found' });
    expect(await provider().reverse('TNEVERSENT')).toEqual({ ok: false });
  });
});

describe('EasyPaisa sandbox', () => {
  it('when the Credentials header is wrong, the sandbox answers 0010 and records nothing', async () => {
    const answer = await post(validBody, credentialsHeader('bazaar', 'guess'));
    expect(answer.responseCode).toBe('0010');
    expect(sandbox.transactions.has('TDIRECT')).toBe(false);
  });

  it('when the storeId is not ours, the sandbox answers 0006', async () => {
    expect((await post({ ...validBody, storeId: '9999' })).responseCode).toBe('0006');
  });

  it('when a required field is missing, the sandbox answers 0002', async () => {
    const { mobileAccountNo: _dropped, ...body } = validBody;
    expect((await post(body)).responseCode).toBe('0002');
  });
});

describe('EasyPaisa circuit breaker', () => {
  it('when calls keep failing, the breaker opens and later calls are unavailable without a request', async () => {
    const deadPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const client = createEasyPaisaProvider({
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
