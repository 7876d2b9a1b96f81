// Test support: a payments service on PGlite in memory (or PostgreSQL) against both sandboxes on free ports.
import { randomUUID } from 'node:crypto';
import { createGrpcClient, type GrpcClient } from '@bazaar/kit/grpc';
import { type Envelope, InProcessBroker } from '@bazaar/kit/messaging';
import type { Platform } from '@bazaar/kit/service';
import { expect } from 'vitest';
import { paymentsService } from './api/internal-grpc.ts';
import type { PaymentsConfig } from './config.ts';
import type { AuthorizeRequest, PaymentSummary } from './contracts.ts';
import { type Sandboxes, start, startSandboxes } from './main.ts';
import { txnRefFor } from './providers/index.ts';

export const key = 'test-key';
export const admin = { 'x-internal-key': key, 'x-user-id': 'usr_admin', 'x-user-role': 'admin' };
export const customer = (id: string) => ({ 'x-internal-key': key, 'x-user-id': id, 'x-user-role': 'customer' });

/**
 * Short deadlines, with room for a busy machine: the provider's deadline is 500 ms (a loaded CI box can hold an answer
 * for 200 ms), and the slow sandbox wallet answers after 1.5 s, well past it.
 */
export const fast: Partial<PaymentsConfig> = { port: 0, grpcPort: 0, timeoutMs: 500, retries: 2, reconcileMs: 100 };

export type Harness = Awaited<ReturnType<typeof harness>>;

export async function harness(
  options: {
    platform?: Partial<Platform>;
    config?: Partial<PaymentsConfig>;
    sandboxes?: Sandboxes;
    slowMs?: number;
  } = {},
) {
  const slowMs = options.slowMs ?? 1500;
  const sandboxes = options.sandboxes ?? (await startSandboxes({ jazzcashPort: 0, easypaisaPort: 0, slowMs }));
  const broker = new InProcessBroker();
  const events: Envelope<{ orderId: string; amount: { amount: number } }>[] = [];
  await broker.subscribe('test', ['PaymentCaptured', 'PaymentRefunded'], async (e) => void events.push(e as never));
  const platform: Platform = {
    broker,
    internalKey: key,
    dataRoot: 'memory://',
    logLevel: 'silent',
    outboxSweepMs: 50,
    ...options.platform,
  };
  const svc = await start(platform, {
    ...fast,
    jazzcashUrl: sandboxes.jazzcashUrl,
    easypaisaUrl: sandboxes.easypaisaUrl,
    ...options.config,
  });

  const call = async (
    method: 'GET' | 'POST',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = { 'x-internal-key': key },
  ) => {
    const res = await svc.app.inject({ method, url, payload: payload as object, headers });
    return { status: res.statusCode, body: res.json() };
  };
  return {
    svc,
    broker,
    sandboxes,
    events,
    call,
    authorize: (req: Partial<AuthorizeRequest> & { orderId: string }) =>
      call('POST', '/internal/payments/authorize', { userId: 'usr_ayesha', amount: 149_900, ...req }),
    capture: (orderId: string) => call('POST', `/internal/payments/${orderId}/capture`),
    void: (orderId: string) => call('POST', `/internal/payments/${orderId}/void`),
    refund: (orderId: string) => call('POST', `/internal/payments/${orderId}/refund`),
    record: (orderId: string) => call('GET', `/internal/payments/by-order/${orderId}`),
    summary: async () => (await call('GET', '/api/payments/summary', undefined, admin)).body as PaymentSummary,
    ledger: async (orderId: string) =>
      (await call('GET', `/api/payments/ledger?orderId=${orderId}`, undefined, admin)).body.items as {
        kind: string;
        lines: { account: string; debit: number; credit: number }[];
      }[],
    /** The requests a sandbox received naming this order's transaction. */
    providerCalls: (ref: string, path?: string) =>
      sandboxes.requests.filter((r) => r.txnRef === ref && (!path || r.path.includes(path))),
    sandboxTxn: (ref: string) => sandboxes.jazzcash.transactions.get(ref) ?? sandboxes.easypaisa.transactions.get(ref),
    eventsOf: (orderId: string, type: string) => events.filter((e) => e.data.orderId === orderId && e.type === type),
    /**
     * A crash between the provider's debit and our record: the JazzCash payment row left AUTHORIZING with no live
     * lease, and the provider holding the debit. Answers the txn ref.
     */
    async crashedMidCall(orderId: string): Promise<string> {
      const ref = txnRefFor(orderId, 1);
      await svc.db.query(
        `INSERT INTO payments (id, order_id, user_id, method, wallet, amount, status, reference)
         VALUES ($1, $2, 'usr_ayesha', 'jazzcash', '03001234567', 149900, 'AUTHORIZING', $3)`,
        [`pay_${randomUUID()}`, orderId, ref],
      );
      const debit = { orderId, attempt: 1, amount: 149_900, wallet: '03001234567' };
      expect((await svc.providers.jazzcash.authorize(debit)).outcome).toBe('approved');
      return ref;
    },
    async stop() {
      await svc.stop();
      if (!options.sandboxes) await sandboxes.stop();
    },
  };
}

/** A gRPC client of a harness's payments service, as orders makes one: the `idempotent` calls are retried. */
export function grpcClientOf(h: Harness, idempotent: string[], timeoutMs = 5000): GrpcClient {
  return createGrpcClient({
    upstream: 'payments',
    service: paymentsService(),
    target: h.svc.grpcUrl,
    tracer: h.svc.tracer,
    internalKey: key,
    timeoutMs,
    idempotent,
  });
}

/** The ledger balances, nothing is held for a released payment, and no refund exceeds its capture. */
export async function expectSoundLedger(h: Harness): Promise<void> {
  const { ledger, byOrder } = await h.summary();
  expect(ledger.balanced).toBe(true);
  expect(ledger.problems).toEqual([]);
  for (const p of byOrder) {
    expect(p.refunded).toBeLessThanOrEqual(p.captured);
    if (p.status !== 'AUTHORIZED') expect(p.held).toBe(0);
  }
}
