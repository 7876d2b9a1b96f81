import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from './config.ts';
import {
  buildEasyPaisaCallback,
  buildJazzCashCallback,
  createJazzCashProvider,
  easyPaisaIpn,
  jazzCashDateTime,
  txnRefFor,
} from './providers/index.ts';
import { expectSoundLedger, type Harness, harness, key } from './test-harness.ts';

let h: Harness;
// A wider window than the other suites: one test calls back while the provider is still being asked.
beforeAll(async () => {
  h = await harness({ config: { timeoutMs: 500 }, slowMs: 1500 });
});
afterAll(() => h.stop());
afterEach(() => expectSoundLedger(h));

const config = loadConfig();
const newOrder = () => `ord_${randomUUID()}`;
const post = async (provider: string, fields: Record<string, string>, form = false) => {
  const res = await h.svc.app.inject({
    method: 'POST',
    url: `/api/payments/callbacks/${provider}`,
    headers: { 'x-internal-key': key, 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
    payload: form ? new URLSearchParams(fields).toString() : JSON.stringify(fields),
  });
  return { status: res.statusCode, body: res.json() };
};
const attempts = async (orderId: string) =>
  (await h.record(orderId)).body.attempts as { operation: string; result: string }[];
const stored = async () => (await h.svc.db.query('SELECT count(*)::int AS n FROM callbacks'))[0].n as number;

describe('provider callbacks', () => {
  it('when a JazzCash callback is signed and fresh, it is received, as JSON or as a form, and changes nothing it should not', async () => {
    const orderId = newOrder();
    await h.authorize({ orderId, method: 'jazzcash', wallet: '03001234567' });
    const callback = h.sandboxes.jazzcash.callbackFor(txnRefFor(orderId, 1))!;
    expect(await post('jazzcash', callback)).toEqual({ status: 200, body: { received: true } });
    expect(await post('jazzcash', { ...callback, pp_BillReference: 'ord_other' }, true)).toMatchObject({ status: 401 }); // altered
    expect(await post('jazzcash', callback, true)).toEqual({ status: 200, body: { received: true } });
    expect((await h.record(orderId)).body.status).toBe('AUTHORIZED');
  });

  it('when an EasyPaisa notification is signed and fresh, it is received', async () => {
    const orderId = newOrder();
    await h.authorize({ orderId, method: 'easypaisa', wallet: '03001234567' });
    const callback = h.sandboxes.easypaisa.callbackFor(txnRefFor(orderId, 1))!;
    expect(await post('easypaisa', callback)).toEqual({ status: 200, body: { received: true } });
  });

  it('a callback replayed in another encoding (hash in capitals, an added empty field, a number for a string) is stored once and asks the provider once', async () => {
    const orderId = newOrder();
    // Timed out and reversed: a success reported for it makes us ask the provider again, once.
    expect((await h.authorize({ orderId, method: 'jazzcash', wallet: '03000000003' })).body.status).toBe('VOIDED');
    const ref = txnRefFor(orderId, 1);
    const callback = h.sandboxes.jazzcash.callbackFor(ref)!;
    const before = await stored();
    const inquiries = () => h.providerCalls(ref, 'Inquire').length;
    const asked = inquiries();
    const variants: Record<string, unknown>[] = [
      callback,
      callback,
      { ...callback, pp_SecureHash: callback.pp_SecureHash.toUpperCase() },
      { ...callback, ppmpf_5: '' },
      { ...callback, pp_Amount: Number(callback.pp_Amount) },
    ];
    for (const body of variants) {
      const res = await h.svc.app.inject({
        method: 'POST',
        url: '/api/payments/callbacks/jazzcash',
        headers: { 'x-internal-key': key, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      expect(res.statusCode).toBe(200);
    }
    expect(await stored()).toBe(before + 1);
    expect(inquiries()).toBe(asked + 1);
  });

  it("an EasyPaisa notification (IPN) is a URL on the provider's host: its page is read, and an inquiry decides before money moves", async () => {
    const orderId = newOrder();
    const ref = txnRefFor(orderId, 1);
    const easypaisa = h.svc.providers.easypaisa;
    // Our call timed out before the provider wrote the debit; then the provider completes it and notifies us.
    vi.spyOn(easypaisa, 'authorize').mockResolvedValueOnce({
      outcome: 'unavailable',
      message: 'timed out',
      timedOut: true,
    });
    expect((await h.authorize({ orderId, method: 'easypaisa', wallet: '03001234567' })).body.status).toBe('VOIDED');
    vi.restoreAllMocks();
    await easypaisa.authorize({ orderId, attempt: 1, amount: 149_900, wallet: '03001234567' });
    const ipn = { url: `${h.sandboxes.easypaisaUrl}${easyPaisaIpn.path(ref)}` };

    expect(await post('easypaisa', ipn, true)).toEqual({ status: 200, body: { received: true } });
    expect(h.sandboxTxn(ref)?.status).toBe('reversed'); // found by the inquiry the notice set off, and given back
    expect((await attempts(orderId)).map((a) => `${a.operation}:${a.result}`)).toContain('reverse:reversed');
    expect(await post('easypaisa', ipn)).toEqual({ status: 200, body: { received: true } }); // a replay: nothing more
  });

  it('an EasyPaisa notification pointing anywhere but the provider is refused unread, and an unreadable one is asked again', async () => {
    const before = await stored();
    const foreign = await post('easypaisa', { url: 'http://127.0.0.1:9/easypay-service/rest/v4/ipn/x' });
    expect(foreign).toMatchObject({ status: 401, body: { code: 'BAD_SIGNATURE' } });
    expect(h.sandboxes.requests.some((r) => r.path.includes('/ipn/x'))).toBe(false);
    const unknown = await post('easypaisa', { url: `${h.sandboxes.easypaisaUrl}${easyPaisaIpn.path('T-nope')}` });
    expect(unknown).toMatchObject({ status: 503, body: { code: 'PROVIDER_UNAVAILABLE' } });
    expect(await stored()).toBe(before);
  });

  it("an EasyPaisa notification naming another page of the provider's host is refused unread: no credentialed fetch", async () => {
    const before = await stored();
    const host = h.sandboxes.easypaisaUrl;
    for (const url of [
      `${host}/easypay-service/rest/v4/inquire-transaction`,
      `${host}${easyPaisaIpn.path('T1')}/extra`,
      `${host}${easyPaisaIpn.path('T2')}?storeId=1`,
      `${host}${easyPaisaIpn.path('T3')}#again`,
      `${host}${easyPaisaIpn.path('..')}%2F..%2Finquire-transaction`,
      `${host}/easypay-service/rest/v4/ipn/`,
    ]) {
      const res = await post('easypaisa', { url });
      expect(res, url).toMatchObject({ status: 401, body: { code: 'BAD_SIGNATURE' } });
    }
    // Read, each would have been a 503 (a page without a transaction) or worse; none reached the sandbox.
    expect(h.sandboxes.requests.filter((r) => /\/ipn\/T[123]\b/.test(r.path))).toEqual([]);
    expect(await stored()).toBe(before);
  });

  it('when the signature is wrong, it is refused with BAD_SIGNATURE and nothing is stored', async () => {
    const orderId = newOrder();
    await h.authorize({ orderId, method: 'jazzcash', wallet: '03001234567' });
    const callback = h.sandboxes.jazzcash.callbackFor(txnRefFor(orderId, 1))!;
    const before = await stored();
    const tampered = await post('jazzcash', { ...callback, pp_Amount: '1' });
    expect(tampered.status).toBe(401);
    expect(tampered.body.code).toBe('BAD_SIGNATURE');
    const unsigned = await post('easypaisa', { orderRefNumber: txnRefFor(orderId, 1), paymentStatus: 'PAID' });
    expect(unsigned.body.code).toBe('BAD_SIGNATURE');
    expect(await stored()).toBe(before);
  });

  it('a body that is not a flat set of fields is no signed callback either: BAD_SIGNATURE, nothing stored', async () => {
    const before = await stored();
    for (const payload of [
      '',
      '{"pp_TxnRefNo":{"nested":1}}',
      '[1,2]',
      '"text"',
      'null',
      '{not json',
      '{"pp_TxnRefNo":',
      '{"__proto__":{"paid":true},"pp_TxnRefNo":"T1"}',
    ]) {
      for (const provider of ['jazzcash', 'easypaisa']) {
        const res = await h.svc.app.inject({
          method: 'POST',
          url: `/api/payments/callbacks/${provider}`,
          headers: { 'x-internal-key': key, 'content-type': 'application/json' },
          payload,
        });
        expect({ payload, status: res.statusCode, code: res.json().code }).toEqual({
          payload,
          status: 401,
          code: 'BAD_SIGNATURE',
        });
      }
    }
    expect(await stored()).toBe(before);
  });

  it('when the callback is older than the allowed age, it is refused with BAD_SIGNATURE', async () => {
    const ref = txnRefFor(newOrder(), 1);
    const hourAgo = new Date(Date.now() - 3_600_000);
    const jazz = buildJazzCashCallback(
      { code: '000', message: 'ok', txnRef: ref, txnDateTime: jazzCashDateTime(hourAgo) },
      config.jazzcashMerchantId,
      config.jazzcashIntegritySalt,
    );
    expect((await post('jazzcash', jazz)).body).toMatchObject({ status: 401, code: 'BAD_SIGNATURE' });
    const easy = buildEasyPaisaCallback(
      { orderRefNumber: ref, paymentStatus: 'PAID' },
      hourAgo,
      config.easypaisaHashKey,
    );
    expect((await post('easypaisa', easy)).body).toMatchObject({ status: 401, code: 'BAD_SIGNATURE' });
  });

  it('answers NOT_FOUND for a provider it does not know', async () => {
    const res = await post('paypal', { a: '1' });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });

  it('when a provider reports success for an order we voided, the money is reversed, and a replay of it is a no-op', async () => {
    const orderId = newOrder();
    await h.void(orderId); // the order was rejected before any payment
    // A debit JazzCash made for the order's reference anyway (say, a request that arrived after our deadline).
    const jazzcash = createJazzCashProvider({
      baseUrl: h.sandboxes.jazzcashUrl,
      merchantId: config.jazzcashMerchantId,
      password: config.jazzcashPassword,
      integritySalt: config.jazzcashIntegritySalt,
    });
    expect((await jazzcash.authorize({ orderId, attempt: 1, amount: 99_900, wallet: '03001234567' })).outcome).toBe(
      'approved',
    );
    const ref = txnRefFor(orderId, 1);
    const callback = h.sandboxes.jazzcash.callbackFor(ref)!;

    expect((await post('jazzcash', callback)).status).toBe(200);
    expect(h.sandboxTxn(ref)?.status).toBe('reversed');
    expect((await h.record(orderId)).body).toMatchObject({ status: 'VOIDED', captured: { amount: 0 } });
    const seen = await attempts(orderId);
    expect(seen.map((a) => `${a.operation}:${a.result}`)).toEqual(['inquire:paid', 'reverse:reversed']);

    expect((await post('jazzcash', callback)).status).toBe(200); // replayed
    expect(await attempts(orderId)).toHaveLength(seen.length);
  });

  it('when a provider reports success after our timeout, nothing stays captured', async () => {
    const orderId = newOrder();
    expect((await h.authorize({ orderId, method: 'easypaisa', wallet: '03000000003' })).body.outcome).toBe('timeout');
    const ref = txnRefFor(orderId, 1);
    const late = buildEasyPaisaCallback(
      { orderRefNumber: ref, paymentStatus: 'PAID', storeId: config.easypaisaStoreId },
      new Date(),
      config.easypaisaHashKey,
    );
    expect((await post('easypaisa', late)).status).toBe(200);
    expect(h.sandboxTxn(ref)?.status).toBe('reversed');
    expect((await h.record(orderId)).body).toMatchObject({
      status: 'VOIDED',
      captured: { amount: 0 },
      refunded: { amount: 0 },
    });
    const { byOrder } = await h.summary();
    expect(byOrder.find((p) => p.orderId === orderId)).toMatchObject({ captured: 0, held: 0 });
  });

  it('when a success arrives while the provider is being asked, and its answer is then a decline, the debit is reversed', async () => {
    // A provider at odds with itself: it takes the money, says so in a callback, and answers our request with a decline.
    const orderId = newOrder();
    const ref = txnRefFor(orderId, 1);
    const jazzcash = h.svc.providers.jazzcash;
    const real = jazzcash.authorize.bind(jazzcash);
    vi.spyOn(jazzcash, 'authorize').mockImplementationOnce(async (debit, call) => {
      expect((await real(debit, call)).outcome).toBe('approved');
      expect((await post('jazzcash', h.sandboxes.jazzcash.callbackFor(ref)!)).status).toBe(200);
      return { outcome: 'declined', code: '124', message: 'declined by the provider' };
    });
    const answer = await h.authorize({ orderId, method: 'jazzcash', wallet: '03001234567' });
    expect(answer.body).toMatchObject({ status: 'DECLINED' });
    await vi.waitFor(() => expect(h.sandboxTxn(ref)?.status).toBe('reversed'), { timeout: 8000, interval: 50 });
    expect((await h.record(orderId)).body).toMatchObject({ status: 'DECLINED', captured: { amount: 0 } });
  });

  it('when a success arrives while the provider is still being asked, it is only recorded; the authorisation settles it', async () => {
    const orderId = newOrder();
    const pending = h.authorize({ orderId, method: 'jazzcash', wallet: '03000000003' });
    const ref = txnRefFor(orderId, 1);
    await expect.poll(() => h.sandboxTxn(ref)?.status, { interval: 5 }).toBe('paid');
    expect((await h.record(orderId)).body.status).toBe('AUTHORIZING');
    expect(
      (
        await h.call('GET', `/api/payments?orderId=${orderId}`, undefined, {
          'x-internal-key': key,
          'x-user-id': 'usr_ayesha',
          'x-user-role': 'customer',
        })
      ).body.items[0].status,
    ).toBe('PENDING');
    expect((await post('jazzcash', h.sandboxes.jazzcash.callbackFor(ref)!)).status).toBe(200);
    expect((await pending).body).toMatchObject({ status: 'VOIDED', outcome: 'timeout' });
    expect(h.sandboxTxn(ref)?.status).toBe('reversed');
    expect((await attempts(orderId)).filter((a) => a.operation === 'reverse')).toHaveLength(1);
  });
});
