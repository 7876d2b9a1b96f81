import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type Sandboxes, startSandboxes } from './main.ts';
import { expectSoundLedger, type Harness, harness, key } from './test-harness.ts';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/**
 * A provider that cuts every connection at once (a reset): held for the test, so that no other server on this busy
 * machine can take its port between a free-port probe and the call, as one did (a 404 is no connection failure).
 */
const cuttingProvider = () =>
  new Promise<string>((resolve) => {
    const s = createServer((socket) => socket.resetAndDestroy()).listen(0, '127.0.0.1', () => {
      stops.push(() => new Promise((done) => s.close(() => done())));
      resolve(`http://127.0.0.1:${(s.address() as { port: number }).port}`);
    });
  });

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

describe('when a provider cannot be reached', () => {
  it('the outcome is unavailable with PAYMENT_UNAVAILABLE, the payment VOIDED, and the breaker opens (gauge 2)', async () => {
    const h: Harness = await harness({ config: { jazzcashUrl: await cuttingProvider(), retries: 1 } });
    stops.push(() => h.stop());
    const orders = Array.from({ length: 3 }, () => `ord_${randomUUID()}`);
    for (const orderId of orders) {
      const res = await h.authorize({ orderId, method: 'jazzcash', wallet: '03001234567' });
      expect(res.body).toMatchObject({ status: 'VOIDED', outcome: 'unavailable', reason: 'PAYMENT_UNAVAILABLE' });
    }
    // Both cut connections of the first debit are in its trail: the retried one, and the last.
    const authorizations = async (orderId: string) =>
      (await h.record(orderId)).body.attempts
        .filter((a: { operation: string }) => a.operation === 'authorize')
        .map((a: { result: string }) => a.result);
    expect(await authorizations(orders[0])).toEqual(['connection', 'unavailable']);
    const metrics = (await h.svc.app.inject({ url: '/metrics', headers: { 'x-internal-key': key } })).body;
    expect(metrics).toMatch(/payments_circuit_breaker_state\{[^}]*provider="jazzcash"[^}]*\} 2/);
    expect(metrics).toMatch(/payments_circuit_breaker_state\{[^}]*provider="easypaisa"[^}]*\} 0/);
    expect(metrics).toMatch(/payments_authorizations_total\{[^}]*method="jazzcash"[^}]*outcome="unavailable"[^}]*\} 3/);
    await expectSoundLedger(h);
  });

  it('timeouts of one slow wallet do not open the breaker: the next wallet is still approved', async () => {
    const h: Harness = await harness();
    stops.push(() => h.stop());
    const slow = await Promise.all(
      Array.from({ length: 8 }, () =>
        h.authorize({ orderId: `ord_${randomUUID()}`, method: 'jazzcash', wallet: '03000000003' }),
      ),
    );
    for (const res of slow) expect(res.body).toMatchObject({ outcome: 'timeout', reason: 'PAYMENT_TIMEOUT' });
    const next = await h.authorize({ orderId: `ord_${randomUUID()}`, method: 'jazzcash', wallet: '03001234567' });
    expect(next.body).toMatchObject({ status: 'AUTHORIZED', outcome: 'approved' });
    const metrics = (await h.svc.app.inject({ url: '/metrics', headers: { 'x-internal-key': key } })).body;
    expect(metrics).toMatch(/payments_circuit_breaker_state\{[^}]*provider="jazzcash"[^}]*\} 0/);
    // A reversal that itself outlasts the deadline on a busy machine is the reconciliation sweep's to finish.
    await vi.waitFor(() => expectSoundLedger(h), { timeout: 10_000, interval: 100 });
  });

  it('a payment left unsure is checked again until the provider answers, then settled', async () => {
    const port = await freePort();
    // No horizon: once the provider answers that it has no record, there is nothing more to wait for (reconcile.test.ts).
    const h: Harness = await harness({
      config: { easypaisaUrl: `http://127.0.0.1:${port}`, retries: 0, reconcileHorizonMs: 0 },
    });
    stops.push(() => h.stop());
    const orderId = `ord_${randomUUID()}`;
    expect((await h.authorize({ orderId, method: 'easypaisa', wallet: '03001234567' })).body.outcome).toBe(
      'unavailable',
    );
    const later: Sandboxes = await startSandboxes({ jazzcashPort: 0, easypaisaPort: port }); // the provider is back
    stops.push(() => later.stop());
    await vi.waitFor(
      async () => {
        const attempts = (await h.record(orderId)).body.attempts.map(
          (a: { operation: string; result: string }) => `${a.operation}:${a.result}`,
        );
        expect(attempts.at(-1)).toBe('inquire:not_found');
      },
      { timeout: 5000, interval: 50 },
    );
    const [row] = await h.svc.db.query('SELECT reconcile_after FROM payments WHERE order_id = $1', [orderId]);
    expect(row.reconcile_after).toBeNull();
  });
});
