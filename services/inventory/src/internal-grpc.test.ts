import { Code, createGrpcClient, errorOfRefusal, type GrpcClient, type GrpcError } from '@bazaar/kit/grpc';
import { InProcessBroker } from '@bazaar/kit/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CommitOutcomeMessage,
  inventoryService,
  type ReservationMessage,
  type ReserveOutcomeMessage,
} from './api/internal-grpc.ts';
import { start } from './main.ts';

const key = 'test-key';
const admin = { 'x-internal-key': key, 'x-user-id': 'usr_admin', 'x-user-role': 'admin' };
let svc: Awaited<ReturnType<typeof start>>;
let client: GrpcClient;

beforeAll(async () => {
  svc = await start(
    { broker: new InProcessBroker(), internalKey: key, dataRoot: 'memory://', logLevel: 'silent' },
    { port: 0, grpcPort: 0, seed: false },
  );
  const product = {
    sku: 'CHAPPAL-001',
    name: 'Peshawari chappal',
    price: { amount: 450_000, currency: 'PKR' },
    quantity: 3,
  };
  expect(
    (await svc.app.inject({ method: 'POST', url: '/api/inventory', headers: admin, payload: product })).statusCode,
  ).toBe(201);
  client = createGrpcClient({
    upstream: 'inventory',
    service: inventoryService(),
    target: svc.grpcUrl,
    tracer: svc.tracer,
    internalKey: key,
    timeoutMs: 5000,
    idempotent: ['Reserve', 'Commit', 'Release'],
  });
});
afterAll(async () => {
  client?.close();
  await svc?.stop();
});

const available = async () =>
  (await svc.app.inject({ url: '/api/inventory/CHAPPAL-001', headers: admin })).json().available;
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (err: GrpcError) => err,
  );

describe('reservations over gRPC', () => {
  it('reserves at the catalogue price, commits, and answers a repeated Reserve with the stored reservation', async () => {
    const reserved = await client.call<ReservationMessage>('Reserve', {
      orderId: 'ord_g1',
      lines: [{ sku: 'CHAPPAL-001', quantity: 2 }],
    });
    expect(reserved).toEqual({
      orderId: 'ord_g1',
      status: 'RESERVED',
      lines: [
        { sku: 'CHAPPAL-001', name: 'Peshawari chappal', quantity: 2, unitPrice: { amount: 450_000, currency: 'PKR' } },
      ],
    });
    expect(await client.call('Commit', { orderId: 'ord_g1' })).toEqual({ orderId: 'ord_g1', status: 'COMMITTED' });
    const again = await client.call<ReservationMessage>('Reserve', {
      orderId: 'ord_g1',
      lines: [{ sku: 'CHAPPAL-001', quantity: 2 }],
    });
    expect(again.status).toBe('COMMITTED');
    expect(await available()).toBe(1);
    expect(await client.call('Release', { orderId: 'ord_g1' })).toEqual({ orderId: 'ord_g1', status: 'RELEASED' });
    expect(await available()).toBe(3);
  });

  it('when stock is short, refuses with FAILED_PRECONDITION, OUT_OF_STOCK and the shortages, and holds nothing', async () => {
    const err = await refusal(
      client.call('Reserve', { orderId: 'ord_g2', lines: [{ sku: 'CHAPPAL-001', quantity: 5 }] }),
    );
    expect([err.grpcCode, err.status, err.code]).toEqual([Code.FAILED_PRECONDITION, 409, 'OUT_OF_STOCK']);
    expect(err.problem?.shortages).toEqual([{ sku: 'CHAPPAL-001', requested: 5, available: 3 }]);
    expect(await available()).toBe(3);
  });

  it('refuses a request its REST schema would refuse with INVALID_ARGUMENT, and an unknown commit with NOT_FOUND', async () => {
    const empty = await refusal(client.call('Reserve', { orderId: 'ord_g3', lines: [] }));
    expect([empty.grpcCode, empty.code]).toEqual([Code.INVALID_ARGUMENT, 'VALIDATION_FAILED']);
    const unknown = await refusal(client.call('Commit', { orderId: 'ord_nobody' }));
    expect([unknown.grpcCode, unknown.code]).toEqual([Code.NOT_FOUND, 'NOT_FOUND']);
  });

  it('reserves a batch in one call, each order answered as alone: a short one holds none of the others back', async () => {
    const lawn = { sku: 'LAWN-100', name: 'Lawn suit', price: { amount: 300_000, currency: 'PKR' }, quantity: 5 };
    await svc.app.inject({ method: 'POST', url: '/api/inventory', headers: admin, payload: lawn });
    await client.call('Reserve', { orderId: 'ord_b0', lines: [{ sku: 'LAWN-100', quantity: 1 }] });
    const { outcomes } = await client.call<{ outcomes: ReserveOutcomeMessage[] }>('ReserveMany', {
      orders: [
        { orderId: 'ord_b1', lines: [{ sku: 'LAWN-100', quantity: 3 }] },
        { orderId: 'ord_b2', lines: [{ sku: 'LAWN-100', quantity: 2 }] }, // 1 left after ord_b0 and ord_b1
        { orderId: 'ord_b0', lines: [{ sku: 'LAWN-100', quantity: 1 }] }, // a repeat: the stored reservation
        { orderId: 'ord_b3', lines: [] }, // refused by the schema, alone
        { orderId: 'ord_b4', lines: [{ sku: 'LAWN-100', quantity: 1 }] },
      ],
    });
    expect(outcomes.map((o) => o.reservation?.orderId ?? errorOfRefusal('inventory', o.refusal!).code)).toEqual([
      'ord_b1',
      'OUT_OF_STOCK',
      'ord_b0',
      'VALIDATION_FAILED',
      'ord_b4',
    ]);
    const short = errorOfRefusal('inventory', outcomes[1].refusal!);
    expect([short.grpcCode, short.status]).toEqual([Code.FAILED_PRECONDITION, 409]);
    expect(short.problem?.shortages).toEqual([{ sku: 'LAWN-100', requested: 2, available: 1 }]);
    const stock = (await svc.app.inject({ url: '/api/inventory/LAWN-100', headers: admin })).json();
    expect(stock).toMatchObject({ onHand: 5, reserved: 5, available: 0 });

    const committed = await client.call<{ outcomes: CommitOutcomeMessage[] }>('CommitMany', {
      orderIds: ['ord_b1', 'ord_b2', 'ord_b4', 'ord_b1'],
    });
    expect(committed.outcomes.map((o) => o.committed?.status ?? errorOfRefusal('inventory', o.refusal!).code)).toEqual([
      'COMMITTED',
      'NOT_FOUND',
      'COMMITTED',
      'COMMITTED',
    ]);
    const after = (await svc.app.inject({ url: '/api/inventory/LAWN-100', headers: admin })).json();
    expect(after).toMatchObject({ onHand: 1, reserved: 1, available: 0, sold: 4 });
  });

  it('refuses an empty batch, or one over 100 orders, with INVALID_ARGUMENT', async () => {
    const empty = await refusal(client.call('ReserveMany', { orders: [] }));
    expect([empty.grpcCode, empty.code]).toEqual([Code.INVALID_ARGUMENT, 'VALIDATION_FAILED']);
    const many = Array.from({ length: 101 }, (_, i) => `ord_many_${i}`);
    const over = await refusal(client.call('CommitMany', { orderIds: many }));
    expect([over.grpcCode, over.code]).toEqual([Code.INVALID_ARGUMENT, 'VALIDATION_FAILED']);
  });
});
