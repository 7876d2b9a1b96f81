import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { txnRefFor } from '../txn-ref.ts';
import { createJazzCashProvider } from './client.ts';
import { type JazzCashFields, mwalletFields, signJazzCashFields } from './format.ts';
import { createJazzCashSandbox } from './sandbox.ts';

const merchant = { merchantId: 'MC12345', password: 'pass-1', integritySalt: 'salt-1' };
const sandbox = createJazzCashSandbox(merchant);
const v11Path = '/ApplicationAPI/API/Payment/DoTransaction';
const v20Path = '/ApplicationAPI/API/2.0/Purchase/DoMWalletTransaction';
let baseUrl = '';

// What the adapter sent: which path, which version, and whether it carried a CNIC.
const received: { path: string; version: unknown; cnic: unknown }[] = [];
sandbox.app.addHook('preHandler', async (req) => {
  const body = req.body as Record<string, unknown>;
  received.push({ path: req.url, version: body.pp_Version, cnic: body.pp_CNIC });
});

beforeAll(async () => {
  baseUrl = await sandbox.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => sandbox.app.close());

const provider = () => createJazzCashProvider({ ...merchant, baseUrl, timeoutMs: 1_000, retries: 0 });
let orders = 0;
const order = (wallet = '03001234567') => ({ orderId: `ord-jcs-${++orders}`, attempt: 1, amount: 149_900, wallet });
const post = async (path: string, fields: JazzCashFields) =>
  (
    await request(new URL(path, baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(signJazzCashFields(fields, merchant.integritySalt)),
    })
  ).body.json() as Promise<Record<string, string>>;
let refs = 0;
// debitFields: a valid unsigned wallet debit with `changes` applied (undefined drops a field).
const debitFields = (changes: Record<string, string | undefined> = {}, cnic?: string): JazzCashFields => {
  const fields: Record<string, string | undefined> = {
    ...mwalletFields({
      ...merchant,
      txnRef: `TSANDBOX${++refs}`,
      amount: 100,
      wallet: '03001234567',
      cnic,
      billReference: 'ord-x',
      description: 'x',
      at: new Date(),
      expiry: new Date(Date.now() + 60_000),
    }),
    ...changes,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as JazzCashFields;
};

describe('JazzCash sandbox: a debit repeated on a known txn ref', () => {
  it('when the transaction was reversed, the repeat is declined with 409 and nothing is debited again', async () => {
    const req = order();
    expect((await provider().authorize(req)).outcome).toBe('approved');
    const ref = txnRefFor(req.orderId, req.attempt);
    expect(await provider().reverse(ref)).toEqual({ ok: true });
    expect(await provider().authorize(req)).toMatchObject({ outcome: 'declined', code: '409' });
    expect(sandbox.transactions.get(ref)?.status).toBe('reversed');
  });

  it('when the amount or the wallet differs from the original, the repeat is declined with 412 and the record is unchanged', async () => {
    const req = order();
    expect((await provider().authorize(req)).outcome).toBe('approved');
    expect(await provider().authorize({ ...req, amount: 100 })).toMatchObject({ outcome: 'declined', code: '412' });
    expect(await provider().authorize({ ...req, wallet: '03009999999' })).toMatchObject({
      outcome: 'declined',
      code: '412',
    });
    expect(sandbox.transactions.get(txnRefFor(req.orderId, req.attempt))).toMatchObject({
      status: 'paid',
      amount: 149_900,
      wallet: '03001234567',
    });
  });

  it('when the transaction is as it was, the repeat gets the same outcome: paid stays approved, declined stays 402', async () => {
    const paid = order();
    expect((await provider().authorize(paid)).outcome).toBe('approved');
    expect((await provider().authorize(paid)).outcome).toBe('approved');
    const declined = order('03000000002');
    expect(await provider().authorize(declined)).toMatchObject({ outcome: 'declined', code: '402' });
    expect(await provider().authorize(declined)).toMatchObject({ outcome: 'declined', code: '402' });
  });
});

describe('JazzCash sandbox: versions', () => {
  it('when the adapter has no CNIC, it posts a version 1.1 debit without pp_CNIC to the v1.1 path', async () => {
    const before = received.length;
    expect((await provider().authorize(order())).outcome).toBe('approved');
    expect(received.slice(before)).toEqual([{ path: v11Path, version: '1.1', cnic: undefined }]);
  });

  it('when the adapter is given a CNIC, it posts a version 2.0 debit with pp_CNIC to the v2.0 path', async () => {
    const before = received.length;
    expect((await provider().authorize({ ...order(), cnic: '345678' })).outcome).toBe('approved');
    expect(received.slice(before)).toEqual([{ path: v20Path, version: '2.0', cnic: '345678' }]);
  });

  it.each([
    ['a 2.0 debit without pp_CNIC', v20Path, debitFields({ pp_Version: '2.0' })],
    ['a 2.0 debit with a 5-digit pp_CNIC', v20Path, debitFields({}, '12345')],
    ['a 1.1 debit carrying pp_CNIC', v11Path, debitFields({ pp_CNIC: '123456' })],
    ['a 1.1 debit on the 2.0 path', v20Path, debitFields()],
  ])('when the sandbox gets %s, it refuses it with 110 and records nothing', async (_, path, fields) => {
    expect((await post(path, fields)).pp_ResponseCode).toBe('110');
    expect(sandbox.transactions.has(fields.pp_TxnRefNo!)).toBe(false);
  });

  it('when a 2.0 debit carries a 6-digit pp_CNIC, the sandbox approves it', async () => {
    expect((await post(v20Path, debitFields({}, '123456'))).pp_ResponseCode).toBe('000');
  });
});

describe('JazzCash sandbox: fields', () => {
  it.each([
    ['pp_TxnType missing', { pp_TxnType: undefined }],
    ['pp_Version missing', { pp_Version: undefined }],
    ['pp_TxnDateTime missing', { pp_TxnDateTime: undefined }],
    ['pp_TxnCurrency missing', { pp_TxnCurrency: undefined }],
    ['pp_TxnType OTC', { pp_TxnType: 'OTC' }],
    ['pp_TxnCurrency USD', { pp_TxnCurrency: 'USD' }],
    ['pp_Version 9', { pp_Version: '9' }],
    ['pp_TxnDateTime not YYYYMMDDHHmmss', { pp_TxnDateTime: '2025-01-01 10:00' }],
    ['a 23-digit pp_Amount', { pp_Amount: '1'.repeat(23) }],
  ])('when a wallet debit has %s, the sandbox answers 200 with 110 and records nothing', async (_, changes) => {
    const fields = debitFields(changes);
    const res = await request(new URL(v11Path, baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(signJazzCashFields(fields, merchant.integritySalt)),
    });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as Record<string, string>).pp_ResponseCode).toBe('110');
    expect(sandbox.transactions.has(fields.pp_TxnRefNo!)).toBe(false);
  });
});
