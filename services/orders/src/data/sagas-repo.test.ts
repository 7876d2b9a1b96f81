import { type Db, migrate, openDatabase } from '@bazaar/kit/database';
import type { StoredTrace } from '@bazaar/kit/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../main.ts';
import { ordersRepo } from './orders-repo.ts';
import { sagasRepo } from './sagas-repo.ts';

describe('sagas repository', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDatabase({ dataDir: 'memory://' });
    await migrate(db, migrations.pathname);
  });
  afterAll(() => db.close());

  const finishedSaga = async (id: string, trace?: StoredTrace) => {
    await ordersRepo.insert(db, {
      trace,
      id,
      userId: 'usr_1',
      lines: [{ sku: 'SKU-1', quantity: 1 }],
      shippingFee: 25000,
      method: 'cod',
      shipping: { city: 'Lahore', address: '1 Mall Road', phone: '03001234567' },
      leaseMs: 30_000,
    });
    await db.transaction((tx) => sagasRepo.advance(tx, id, 'DONE'));
  };
  const dueIds = async () => (await db.transaction((tx) => sagasRepo.due(tx, 100))).map((s) => s.orderId);

  it('a reopened saga stays with the runner that reopened it: no sweep or other runner takes it meanwhile', async () => {
    await finishedSaga('ord_reopened');
    await db.transaction((tx) => sagasRepo.reopen(tx, 'ord_reopened', 'CANCEL', 30_000));

    expect(await dueIds()).not.toContain('ord_reopened');
    expect(await sagasRepo.claim(db, 'ord_reopened', 30_000)).toBeNull();
    expect(await sagasRepo.stepOf(db, 'ord_reopened')).toBe('CANCEL');
  });

  it('once its lease has run out, a reopened saga is free to claim', async () => {
    await finishedSaga('ord_lapsed');
    await db.transaction((tx) => sagasRepo.reopen(tx, 'ord_lapsed', 'CANCEL', 1));
    await new Promise((r) => setTimeout(r, 20));

    expect(await dueIds()).toContain('ord_lapsed');
    expect(await sagasRepo.claim(db, 'ord_lapsed', 30_000)).toMatchObject({ orderId: 'ord_lapsed', step: 'CANCEL' });
  });

  it('a saga due again continues the trace and request that last gave it work; reopened with none, it keeps them', async () => {
    const placing = { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, requestId: 'req-placing' };
    const cancelling = { traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01` };
    const traceOf = async (id: string) =>
      (await db.transaction((tx) => sagasRepo.due(tx, 100))).find((s) => s.orderId === id)?.trace;
    await finishedSaga('ord_traced', placing);
    await db.transaction((tx) => sagasRepo.reopen(tx, 'ord_traced', 'CANCEL', 1));
    await new Promise((r) => setTimeout(r, 20));
    expect(await traceOf('ord_traced')).toEqual(placing);
    // Another trace, with no request id: the placing request's id would name a request of another trace.
    await db.transaction((tx) => sagasRepo.reopen(tx, 'ord_traced', 'CANCEL', 1, cancelling));
    await new Promise((r) => setTimeout(r, 20));
    expect(await traceOf('ord_traced')).toEqual({ ...cancelling, requestId: undefined });
  });
});
