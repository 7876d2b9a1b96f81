import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { txnRefFor } from '../txn-ref.ts';
import { createEasyPaisaProvider } from './client.ts';
import { credentialsHeader } from './format.ts';
import { createEasyPaisaSandbox } from './sandbox.ts';

const merchant = { storeId: '4321', username: 'bazaar', password: 'secret' };
const sandbox = createEasyPaisaSandbox(merchant);
let baseUrl = '';

beforeAll(async () => {
  baseUrl = await sandbox.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => sandbox.app.close());

const provider = () => createEasyPaisaProvider({ ...merchant, baseUrl, timeoutMs: 1_000, retries: 0 });
let orders = 0;
const order = (wallet = '03001234567') => ({ orderId: `ord-eps-${++orders}`, attempt: 1, amount: 149_900, wallet });
const post = async (path: string, body: object) => {
  const res = await request(new URL(path, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...credentialsHeader(merchant.username, merchant.password) },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, string> };
};
let refs = 0;
const maBody = (changes: Record<string, unknown> = {}) => ({
  storeId: merchant.storeId,
  orderId: `TSANDBOX${++refs}`,
  transactionAmount: '10.00',
  transactionType: 'MA',
  mobileAccountNo: '03001234567',
  emailAddress: 'a@b.pk',
  tokenExpiry: '20300101 120000',
  ...changes,
});

describe('EasyPaisa sandbox: a debit repeated on a known orderId', () => {
  it('when the transaction was reversed, the repeat is declined with 0020 and nothing is debited again', async () => {
    const req = order();
    expect((await provider().authorize(req)).outcome).toBe('approved');
    const ref = txnRefFor(req.orderId, req.attempt);
    expect(await provider().reverse(ref)).toEqual({ ok: true });
    expect(await provider().authorize(req)).toMatchObject({ outcome: 'declined', code: '0020' });
    expect(sandbox.transactions.get(ref)?.status).toBe('reversed');
  });

  it('when the amount or the wallet differs from the original, the repeat is declined with 0021 and the record is unchanged', async () => {
    const req = order();
    expect((await provider().authorize(req)).outcome).toBe('approved');
    expect(await provider().authorize({ ...req, amount: 100 })).toMatchObject({ outcome: 'declined', code: '0021' });
    expect(await provider().authorize({ ...req, wallet: '03009999999' })).toMatchObject({
      outcome: 'declined',
      code: '0021',
    });
    expect(sandbox.transactions.get(txnRefFor(req.orderId, req.attempt))).toMatchObject({
      status: 'paid',
      amount: 149_900,
      wallet: '03001234567',
    });
  });

  it('when the transaction is as it was, the repeat gets the same outcome: paid stays approved, declined stays 0013', async () => {
    const paid = order();
    expect((await provider().authorize(paid)).outcome).toBe('approved');
    expect((await provider().authorize(paid)).outcome).toBe('approved');
    const declined = order('03000000002');
    expect(await provider().authorize(declined)).toMatchObject({ outcome: 'declined', code: '0013' });
    expect(await provider().authorize(declined)).toMatchObject({ outcome: 'declined', code: '0013' });
  });
});

describe('EasyPaisa sandbox: fields', () => {
  it.each([
    ['no tokenExpiry', { tokenExpiry: undefined }],
    ['a malformed tokenExpiry', { tokenExpiry: '2030-01-01T12:00:00' }],
    ['transactionAmount "10"', { transactionAmount: '10' }],
    ['transactionAmount "10.5"', { transactionAmount: '10.5' }],
    ['transactionAmount as the number 10.5', { transactionAmount: 10.5 }],
    ['a 20-digit transactionAmount', { transactionAmount: `${'1'.repeat(20)}.00` }],
  ])('when an MA debit has %s, the sandbox answers 200 with 0002 and records nothing', async (_, changes) => {
    const body = maBody(changes);
    expect(await post('/easypay-service/rest/v4/initiate-ma-transaction', body)).toMatchObject({
      status: 200,
      body: { responseCode: '0002' },
    });
    expect(sandbox.transactions.has(body.orderId)).toBe(false);
  });

  it('when an OTC debit arrives, the sandbox answers 200 with a refusal code instead of an HTTP 404', async () => {
    const { mobileAccountNo: msisdn, ...rest } = maBody({ transactionType: 'OTC' });
    const res = await post('/easypay-service/rest/v4/initiate-otc-transaction', { ...rest, msisdn });
    expect(res).toMatchObject({ status: 200, body: { responseCode: '0002' } });
    expect(sandbox.transactions.has(rest.orderId)).toBe(false);
  });
});
