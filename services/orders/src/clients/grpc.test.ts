import { createGrpcClient, type GrpcClient, type GrpcServer, loadService, startGrpcServer } from '@bazaar/kit/grpc';
import { AppError } from '@bazaar/kit/server';
import { createLogger } from '@bazaar/kit/telemetry';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchesWhileServed, grpcInventory, grpcPayments } from './grpc.ts';

const tracer = trace.getTracer('test');
const inventoryProto = loadService(
  new URL('../../../../proto/inventory/v1/inventory.proto', import.meta.url),
  'bazaar.inventory.v1.Inventory',
);
const paymentsProto = loadService(
  new URL('../../../../proto/payments/v1/payments.proto', import.meta.url),
  'bazaar.payments.v1.Payments',
);
// An inventory released before ReserveMany and CommitMany, and payments before CaptureMany: their servers know only
// the single calls.
const { ReserveMany: _r, CommitMany: _c, ...olderService } = inventoryProto;
const { CaptureMany: _m, ...olderPaymentsService } = paymentsProto;
const calls: string[] = [];
/** The Authorize requests payments received, as decoded from the wire. */
const authorizations: Record<string, unknown>[] = [];
let older: GrpcServer;
let olderPayments: GrpcServer;
let client: GrpcClient;
let paymentsClient: GrpcClient;

beforeAll(async () => {
  const price = { amount: 250_000, currency: 'PKR' };
  const handlers = {
    Reserve: async (req: { orderId: string; lines: { sku: string; quantity: number }[] }) => {
      calls.push(`Reserve ${req.orderId}`);
      const short = req.lines.filter((l) => l.quantity > 5);
      if (short.length) throw new AppError('OUT_OF_STOCK', 409, 'Not enough stock.', { shortages: short });
      const lines = req.lines.map((l) => ({ ...l, name: 'Ajrak', unitPrice: price }));
      return { orderId: req.orderId, status: 'RESERVED', lines };
    },
    Commit: async (req: { orderId: string }) => {
      calls.push(`Commit ${req.orderId}`);
      return { orderId: req.orderId, status: 'COMMITTED' };
    },
    Release: async (req: { orderId: string }) => ({ orderId: req.orderId, status: 'RELEASED' }),
  };
  const log = createLogger('inventory', { level: 'silent' });
  older = await startGrpcServer({ service: olderService, handlers, tracer, log }, 0);
  const status = (req: { orderId: string }, to: string) => {
    calls.push(`${to} ${req.orderId}`);
    if (req.orderId === 'ord_declined') throw new AppError('PAYMENT_NOT_CAPTURABLE', 409, 'The payment is DECLINED.');
    return Promise.resolve({ orderId: req.orderId, status: to });
  };
  const paymentHandlers = {
    Authorize: async (req: Record<string, unknown>) => {
      authorizations.push(req);
      return { orderId: req.orderId, paymentId: 'pay_1', status: 'AUTHORIZED', outcome: 'approved' };
    },
    Capture: (req: { orderId: string }) => status(req, 'CAPTURED'),
    Void: (req: { orderId: string }) => status(req, 'VOIDED'),
    Refund: (req: { orderId: string }) => status(req, 'REFUNDED'),
  };
  olderPayments = await startGrpcServer({ service: olderPaymentsService, handlers: paymentHandlers, tracer, log }, 0);
  paymentsClient = createGrpcClient({
    upstream: 'payments',
    service: paymentsProto,
    target: olderPayments.url,
    tracer,
    timeoutMs: 5000,
    idempotent: [],
  });
  client = createGrpcClient({
    upstream: 'inventory',
    service: inventoryProto,
    target: older.url,
    tracer,
    timeoutMs: 5000,
    idempotent: [],
  });
});
afterAll(async () => {
  client?.close();
  paymentsClient?.close();
  await older?.stop();
  await olderPayments?.stop();
});

describe('the saga against an inventory older than the batch methods', () => {
  it('reserves, refuses short stock and commits through the single calls', async () => {
    const inventory = grpcInventory(client, tracer);
    const [a, b] = await Promise.all([
      inventory.reserve('ord_old1', [{ sku: 'AJRAK-1', quantity: 2 }]),
      inventory.reserve('ord_old2', [{ sku: 'AJRAK-1', quantity: 9 }]),
    ]);
    expect(a).toEqual({
      ok: true,
      lines: [{ sku: 'AJRAK-1', quantity: 2, name: 'Ajrak', unitPrice: { amount: 250_000, currency: 'PKR' } }],
    });
    expect(b).toMatchObject({ ok: false, code: 'OUT_OF_STOCK' });
    await inventory.commit('ord_old1');
    expect(calls).toEqual(['Reserve ord_old1', 'Reserve ord_old2', 'Commit ord_old1']);
  });
});

describe('the saga against a payments service older than CaptureMany', () => {
  it('with batched captures, captures through Capture alone, and a refusal is the same 409 as Capture’s own', async () => {
    const payments = grpcPayments(paymentsClient, tracer, { batchCaptures: true });
    expect(await payments.capture('ord_pay1')).toEqual({ orderId: 'ord_pay1', status: 'CAPTURED' });
    await expect(payments.capture('ord_declined')).rejects.toMatchObject({
      status: 409,
      code: 'PAYMENT_NOT_CAPTURABLE',
    });
    expect(calls.slice(-2)).toEqual(['CAPTURED ord_pay1', 'CAPTURED ord_declined']);
  });
});

describe('the saga authorising a JazzCash order over gRPC', () => {
  it('sends the CNIC when the order has one (proto field 6), and no cnic at all when it has none', async () => {
    const payments = grpcPayments(paymentsClient, tracer, { batchCaptures: false });
    const order = { userId: 'usr_1', amount: 149_900, method: 'jazzcash' as const, wallet: '03001234567' };
    await payments.authorize({ ...order, orderId: 'ord_cnic', cnic: '345678' });
    await payments.authorize({ ...order, orderId: 'ord_no_cnic' });
    expect(authorizations[0]).toMatchObject({ orderId: 'ord_cnic', wallet: '03001234567', cnic: '345678' });
    expect(authorizations[1]).toMatchObject({ orderId: 'ord_no_cnic', wallet: '03001234567' });
    expect(authorizations[1].cnic).toBeUndefined();
  });
});

describe('batchesWhileServed', () => {
  const unimplemented = async () => {
    await client.call('ReserveMany', { orders: [] });
    return 'batched';
  };

  it('answers through the single call for a while after UNIMPLEMENTED, then tries the batch again', async () => {
    const batched = batchesWhileServed(50);
    let tried = 0;
    const tryBatch = () => {
      tried++;
      return unimplemented();
    };
    expect(await batched(tryBatch, async () => 'single')).toBe('single');
    expect(await batched(tryBatch, async () => 'single')).toBe('single');
    expect(tried).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(
      await batched(
        async () => 'batched',
        async () => 'single',
      ),
    ).toBe('batched');
  });

  it('passes any other failure on, and keeps batching', async () => {
    const batched = batchesWhileServed();
    const refused = new AppError('OUT_OF_STOCK', 409, 'Not enough stock.');
    await expect(
      batched(
        () => Promise.reject(refused),
        async () => 'single',
      ),
    ).rejects.toBe(refused);
    expect(
      await batched(
        async () => 'batched',
        async () => 'single',
      ),
    ).toBe('batched');
  });
});
