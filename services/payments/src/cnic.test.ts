// A customer's CNIC (last six digits) on a JazzCash authorisation: over REST and gRPC it reaches the sandbox as a
// signed MWALLET v2.0 debit with pp_CNIC; without one the debit stays v1.1; it is refused for the other methods, and
// never stored, logged or answered. The JazzCash sandbox here records the fields of each debit it receives.
import { randomUUID } from 'node:crypto';
import { Code, type GrpcClient, type GrpcError } from '@bazaar/kit/grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthorizationMessage } from './api/internal-grpc.ts';
import { loadConfig } from './config.ts';
import { createEasyPaisaSandbox, createJazzCashSandbox, txnRefFor } from './providers/index.ts';
import { verifyJazzCashHash } from './providers/jazzcash/format.ts';
import type { Sandboxes } from './sandboxes.ts';
import { expectSoundLedger, grpcClientOf, type Harness, harness } from './test-harness.ts';

const CNIC = '345678';
const config = loadConfig();
const v11Path = '/ApplicationAPI/API/Payment/DoTransaction';
const v20Path = '/ApplicationAPI/API/2.0/Purchase/DoMWalletTransaction';
/** The fields of every JazzCash wallet debit the sandbox received, with the path it was sent to. */
const debits: { path: string; fields: Record<string, unknown> }[] = [];
const lines: string[] = [];

let h: Harness;
let client: GrpcClient;
beforeAll(async () => {
  const jazzcash = createJazzCashSandbox({
    merchantId: config.jazzcashMerchantId,
    password: config.jazzcashPassword,
    integritySalt: config.jazzcashIntegritySalt,
    mpin: config.jazzcashMpin,
  });
  jazzcash.app.addHook('preHandler', async (req) => {
    if (req.url.includes('DoMWalletTransaction') || req.url.includes('Payment/DoTransaction'))
      debits.push({ path: req.url, fields: { ...(req.body as Record<string, unknown>) } });
  });
  const easypaisa = createEasyPaisaSandbox({
    storeId: config.easypaisaStoreId,
    username: config.easypaisaUsername,
    password: config.easypaisaPassword,
    hashKey: config.easypaisaHashKey,
  });
  const sandboxes: Sandboxes = {
    jazzcashUrl: await jazzcash.app.listen({ port: 0, host: '127.0.0.1' }),
    easypaisaUrl: await easypaisa.app.listen({ port: 0, host: '127.0.0.1' }),
    jazzcash,
    easypaisa,
    requests: [],
    holdNext: () => {
      throw new Error('these sandboxes hold no answers');
    },
    stop: async () => void (await Promise.all([jazzcash.app.close(), easypaisa.app.close()])),
  };
  h = await harness({
    sandboxes,
    platform: { logLevel: 'debug', logSink: { write: (line) => void lines.push(line) } },
  });
  client = grpcClientOf(h, ['Authorize']);
});
afterAll(async () => {
  client?.close();
  await h?.stop();
  await h?.sandboxes.stop();
});

const newOrder = () => `ord_${randomUUID()}`;
const wallet = '03001234567';
const debitsOf = (orderId: string) => debits.filter((d) => d.fields.pp_TxnRefNo === txnRefFor(orderId, 1));

/** The debit went to the v2.0 path as version 2.0 with pp_CNIC, under a secure hash that covers pp_CNIC. */
function expectSignedV2(debit: { path: string; fields: Record<string, unknown> }, cnic: string) {
  expect(debit.path).toBe(v20Path);
  expect(debit.fields).toMatchObject({ pp_Version: '2.0', pp_CNIC: cnic, pp_MobileNumber: wallet });
  expect(verifyJazzCashHash(debit.fields, config.jazzcashIntegritySalt)).toBe(true);
  const { pp_CNIC: _, ...withoutCnic } = debit.fields;
  expect(verifyJazzCashHash(withoutCnic, config.jazzcashIntegritySalt)).toBe(false);
}

describe('a JazzCash authorisation with a CNIC', () => {
  it('over REST, reaches the sandbox as a signed v2.0 debit with pp_CNIC, and is approved', async () => {
    const orderId = newOrder();
    const res = await h.authorize({ orderId, method: 'jazzcash', wallet, cnic: CNIC });
    expect(res).toMatchObject({ status: 200, body: { status: 'AUTHORIZED', outcome: 'approved' } });
    expect(debitsOf(orderId)).toHaveLength(1);
    expectSignedV2(debitsOf(orderId)[0], CNIC);
    await expectSoundLedger(h);
  });

  it('over gRPC, reaches the sandbox as a signed v2.0 debit with pp_CNIC, and is approved', async () => {
    const orderId = newOrder();
    const answer = await client.call<AuthorizationMessage>('Authorize', {
      orderId,
      userId: 'usr_ayesha',
      amount: 149_900,
      method: 'jazzcash',
      wallet,
      cnic: '654321',
    });
    expect(answer).toMatchObject({ status: 'AUTHORIZED', outcome: 'approved' });
    expect(debitsOf(orderId)).toHaveLength(1);
    expectSignedV2(debitsOf(orderId)[0], '654321');
  });

  it('without one, the debit is v1.1 on its own path and carries no pp_CNIC (REST and gRPC alike)', async () => {
    const [rest, grpc] = [newOrder(), newOrder()];
    await h.authorize({ orderId: rest, method: 'jazzcash', wallet });
    await client.call('Authorize', {
      orderId: grpc,
      userId: 'usr_ayesha',
      amount: 149_900,
      method: 'jazzcash',
      wallet,
    });
    for (const orderId of [rest, grpc]) {
      const [debit] = debitsOf(orderId);
      expect(debit.path).toBe(v11Path);
      expect(debit.fields.pp_Version).toBe('1.1');
      expect(debit.fields).not.toHaveProperty('pp_CNIC');
    }
  });

  it('resumed after a crash before the provider was asked, the debit is sent with the CNIC of the call', async () => {
    const orderId = newOrder();
    // The row a crash left AUTHORIZING with no live lease and no debit at the provider; the CNIC is not stored.
    await h.svc.db.query(
      `INSERT INTO payments (id, order_id, user_id, method, wallet, amount, status, reference)
       VALUES ($1, $2, 'usr_ayesha', 'jazzcash', $3, 149900, 'AUTHORIZING', $4)`,
      [`pay_${randomUUID()}`, orderId, wallet, txnRefFor(orderId, 1)],
    );
    const res = await h.authorize({ orderId, method: 'jazzcash', wallet, cnic: '112233' });
    expect(res.body).toMatchObject({ status: 'AUTHORIZED', outcome: 'approved' });
    expect(debitsOf(orderId)).toHaveLength(1);
    expectSignedV2(debitsOf(orderId)[0], '112233');
  });

  it('is answered, stored and logged without the CNIC', async () => {
    const orderId = newOrder();
    const res = await h.authorize({ orderId, method: 'jazzcash', wallet, cnic: '998877' });
    expect(JSON.stringify(res.body)).not.toContain('998877');
    expect(JSON.stringify((await h.record(orderId)).body)).not.toContain('998877');
    const rows = await h.svc.db.query('SELECT * FROM payments WHERE order_id = $1', [orderId]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain('998877');
    const trail = await h.svc.db.query('SELECT * FROM provider_attempts');
    expect(JSON.stringify(trail)).not.toContain('998877');
  });
});

describe('a CNIC where none belongs', () => {
  const base = { orderId: '', userId: 'usr_ayesha', amount: 149_900, method: 'jazzcash', wallet };
  it.each([
    ['with EasyPaisa', { method: 'easypaisa', cnic: CNIC }],
    ['with cash on delivery', { method: 'cod', wallet: undefined, cnic: CNIC }],
    ['of 5 digits', { cnic: '12345' }],
    ['of 7 digits', { cnic: '1234567' }],
    ['with a letter', { cnic: '12345a' }],
  ])(
    '%s is refused with 400 VALIDATION_FAILED on cnic over REST, and nothing reaches a provider',
    async (_, change) => {
      const orderId = newOrder();
      const before = debits.length;
      const res = await h.call('POST', '/internal/payments/authorize', { ...base, orderId, ...change });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('cnic');
      expect(JSON.stringify(res.body)).not.toContain(change.cnic);
      expect(debits.length).toBe(before);
      expect((await h.record(orderId)).status).toBe(404);
    },
  );

  it('with EasyPaisa over gRPC is INVALID_ARGUMENT VALIDATION_FAILED', async () => {
    const err = await client.call('Authorize', { ...base, orderId: newOrder(), method: 'easypaisa', cnic: CNIC }).then(
      () => undefined,
      (e: GrpcError) => e,
    );
    expect([err?.grpcCode, err?.code]).toEqual([Code.INVALID_ARGUMENT, 'VALIDATION_FAILED']);
  });
});

describe('the logs', () => {
  it('never show a CNIC, at any level', () => {
    expect(lines.length).toBeGreaterThan(0);
    const text = lines.join('\n');
    for (const cnic of [CNIC, '654321', '112233', '998877', '12345a', '1234567']) expect(text).not.toContain(cnic);
  });
});
