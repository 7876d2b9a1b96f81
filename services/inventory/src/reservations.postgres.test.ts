import { createGrpcClient, errorOfRefusal } from '@bazaar/kit/grpc';
import { InProcessBroker } from '@bazaar/kit/messaging';
import { postgresOrSkip, scratchDatabases } from '@bazaar/kit/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommitOutcomeMessage, inventoryService, type ReserveOutcomeMessage } from './api/internal-grpc.ts';
import { reservationPaths } from './contracts.ts';
import { LOCK_ALL } from './data/reservations-repo.ts';
import { start } from './main.ts';

const serverUrl = await postgresOrSkip();
const key = 'test-key';
const admin = { 'x-internal-key': key, 'x-user-id': 'usr_admin', 'x-user-role': 'admin' };
let svc: Awaited<ReturnType<typeof start>>;

describe.skipIf(!serverUrl)('reservations on PostgreSQL under concurrency', () => {
  const scratch = scratchDatabases(serverUrl!);
  let databaseUrl: string;
  beforeAll(async () => {
    const { name: databaseName, url } = await scratch.create('inventory_test');
    databaseUrl = url;
    svc = await start(
      { broker: new InProcessBroker(), internalKey: key, databaseUrl: serverUrl, databaseName, logLevel: 'silent' },
      { port: 0, grpcPort: 0, seed: false },
    );
  });
  afterAll(async () => {
    await svc?.stop();
    await scratch.drop();
  });

  // Real HTTP on a real port, so requests really overlap in the pool of PostgreSQL connections.
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = { 'x-internal-key': key },
  ) => {
    const res = await fetch(new URL(path, svc.url), {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const addProduct = (sku: string, quantity: number) =>
    call(
      'POST',
      '/api/inventory',
      { sku, name: `Product ${sku}`, price: { amount: 100_000, currency: 'PKR' }, quantity },
      admin,
    );
  const stock = async (sku: string) => (await call('GET', `/api/inventory/${sku}`, undefined, admin)).body;
  const reserve = (orderId: string, lines: { sku: string; quantity: number }[]) =>
    call('POST', reservationPaths.reserve, { orderId, lines });

  it('when 100 orders race for the last 10, exactly 10 are reserved and 90 are refused with OUT_OF_STOCK', async () => {
    expect((await addProduct('LAST-TEN', 10)).status).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => reserve(`race_${i}`, [{ sku: 'LAST-TEN', quantity: 1 }])),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(10);
    const refused = results.filter((r) => r.status === 409);
    expect(refused).toHaveLength(90);
    expect(refused.every((r) => r.body.code === 'OUT_OF_STOCK')).toBe(true);
    expect(await stock('LAST-TEN')).toMatchObject({ onHand: 10, reserved: 10, available: 0 });
  });

  it('when one order is reserved twenty times at once, it is reserved once and every call gets the same answer', async () => {
    await addProduct('SAME-ORDER', 50);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => reserve('same_1', [{ sku: 'SAME-ORDER', quantity: 3 }])),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(new Set(results.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(await stock('SAME-ORDER')).toMatchObject({ reserved: 3, available: 47 });
  });

  it('when orders lock the same skus listed in opposite orders, none deadlocks and none oversells', async () => {
    await addProduct('PAIR-A', 30);
    await addProduct('PAIR-B', 30);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const lines = [
          { sku: 'PAIR-A', quantity: 1 },
          { sku: 'PAIR-B', quantity: 1 },
        ];
        return reserve(`pair_${i}`, i % 2 ? lines : lines.reverse());
      }),
    );
    expect(results.every((r) => r.status === 200 || r.body.code === 'OUT_OF_STOCK')).toBe(true);
    expect(results.filter((r) => r.status === 200)).toHaveLength(30);
    expect(await stock('PAIR-A')).toMatchObject({ reserved: 30, available: 0 });
    expect(await stock('PAIR-B')).toMatchObject({ reserved: 30, available: 0 });
  });

  it('when commit and release of one order race, each order has one outcome and the stock adds up', async () => {
    await addProduct('RACE-CR', 40);
    for (let i = 0; i < 20; i++) expect((await reserve(`cr_${i}`, [{ sku: 'RACE-CR', quantity: 2 }])).status).toBe(200);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const [committed, released] = await Promise.all([
          call('POST', reservationPaths.commit(`cr_${i}`)),
          call('POST', reservationPaths.release(`cr_${i}`)),
        ]);
        expect(released.status).toBe(200);
        expect([200, 409]).toContain(committed.status);
        if (committed.status === 409) expect(committed.body.code).toBe('RESERVATION_RELEASED');
        return committed.status;
      }),
    );
    expect(outcomes).toHaveLength(20);
    // Whichever came first, every order ends released: held goods freed, sold goods back on hand.
    const level = await stock('RACE-CR');
    expect(level).toMatchObject({ onHand: 40, reserved: 0, available: 40, sold: 0 });
    expect(level.initial + level.adjustments).toBe(level.available + level.reserved + level.sold);
  });

  it('when batches of orders race over the pool, sharing skus listed in any order and repeating orders, none oversells or deadlocks', async () => {
    await addProduct('BATCH-A', 25);
    await addProduct('BATCH-B', 25);
    const grpc = createGrpcClient({
      upstream: 'inventory',
      service: inventoryService(),
      target: svc.grpcUrl,
      tracer: svc.tracer,
      internalKey: key,
      timeoutMs: 10_000,
      idempotent: [],
    });
    try {
      // 12 batches of 8 orders; order k appears in two batches, so each batch also races another for a claim.
      const order = (k: number) => {
        const lines = [
          { sku: 'BATCH-A', quantity: 1 },
          { sku: 'BATCH-B', quantity: 1 },
        ];
        return { orderId: `batch_${k}`, lines: k % 2 ? lines : lines.reverse() };
      };
      const batches = Array.from({ length: 12 }, (_, b) =>
        Array.from({ length: 8 }, (_, i) => order((b * 4 + i) % 48)),
      );
      const answers = await Promise.all(
        batches.map((orders) => grpc.call<{ outcomes: ReserveOutcomeMessage[] }>('ReserveMany', { orders })),
      );
      const byOrder = new Map<string, Set<string>>();
      for (const [b, { outcomes }] of answers.entries())
        for (const [i, o] of outcomes.entries()) {
          const seen = byOrder.get(batches[b][i].orderId) ?? new Set();
          seen.add(o.reservation ? 'RESERVED' : String(errorOfRefusal('inventory', o.refusal!).code));
          byOrder.set(batches[b][i].orderId, seen);
        }
      // An order has one outcome, whichever batch claimed it; a refused one may be tried again by the other.
      const reserved = [...byOrder].filter(([, seen]) => seen.has('RESERVED'));
      expect(reserved).toHaveLength(25);
      expect(reserved.every(([, seen]) => seen.size === 1)).toBe(true);
      expect(
        [...byOrder.values()].every((seen) => [...seen].every((s) => s === 'RESERVED' || s === 'OUT_OF_STOCK')),
      ).toBe(true);
      expect(await stock('BATCH-A')).toMatchObject({ reserved: 25, available: 0 });
      expect(await stock('BATCH-B')).toMatchObject({ reserved: 25, available: 0 });

      const ids = reserved.map(([id]) => id);
      const commits = await Promise.all(
        [ids.slice(0, 15), ids.slice(10)].map((orderIds) =>
          grpc.call<{ outcomes: CommitOutcomeMessage[] }>('CommitMany', { orderIds }),
        ),
      );
      expect(commits.flatMap((c) => c.outcomes).every((o) => o.committed?.status === 'COMMITTED')).toBe(true);
      const level = await stock('BATCH-A');
      expect(level).toMatchObject({ onHand: 0, reserved: 0, sold: 25 });
      expect(level.initial + level.adjustments).toBe(level.available + level.reserved + level.sold);
    } finally {
      grpc.close();
    }
  });

  it("reads a batch's reservations and lines by index, however many reservations there are", async () => {
    // A batch commit (or a resumed reserve) locks its orders' reservations with LOCK_ALL. Services send it as a
    // prepared statement, which PostgreSQL runs with a generic plan after a few calls: that plan must not read the
    // lines of every order ever reserved, as it did (a hash join over all of reservation_lines).
    await addProduct('PLAN-SKU', 1);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(`INSERT INTO reservations (order_id, status)
        SELECT 'plan_' || i, 'COMMITTED' FROM generate_series(1, 2000) i`);
      await client.query(`INSERT INTO reservation_lines (order_id, sku, name, quantity, unit_price_paisa)
        SELECT 'plan_' || i, 'PLAN-SKU', 'Product PLAN-SKU', 1, 100000 FROM generate_series(1, 2000) i`);
      await client.query('ANALYZE reservations, reservation_lines');
      await client.query('SET plan_cache_mode = force_generic_plan');
      await client.query(`PREPARE lock_all(text[]) AS ${LOCK_ALL}`);
      const { rows } = await client.query(`EXPLAIN EXECUTE lock_all('{plan_1,plan_2}')`);
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index Scan on reservation_lines_pkey|Index Scan using reservation_lines_pkey/);
      expect(plan).not.toMatch(/Seq Scan on reservation/);
    } finally {
      await client.end();
    }
  });
});
