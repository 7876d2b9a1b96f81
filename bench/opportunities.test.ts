import { describe, expect, it } from 'vitest';
import type { ScenarioResult } from './lib/types.ts';
import { opportunitiesFor } from './opportunities.ts';

const run = (over: Partial<ScenarioResult>): ScenarioResult => ({
  id: 'orders',
  title: 'Order placement',
  at: '2026-12-02T00:00:00Z',
  commit: 'abc',
  load: { before: 0, after: 0 },
  tables: [],
  metrics: {},
  budgets: [{ name: 'Order placement', target: '≥ 0.25×', actual: '0.01×', met: false }],
  notes: [],
  charts: [],
  profiles: [],
  ...over,
});

describe('what to try, under a missed order-placement budget', () => {
  it('works out the CPU allowance per order from the run itself', () => {
    const notes = opportunitiesFor(
      run({ metrics: { cores: 2, 'naive.ordersPerS': 4000, 'naive.cpuMsPerOrder': 0.3, 'cluster.cpuMsPerOrder': 30 } }),
    )!;
    // 2 cores ÷ (0.25 × 4,000 orders/s) = 2 ms per order; 30 ms is 15 times that.
    expect(notes[0]).toContain('allows 2.00 ms of CPU per order');
    expect(notes[0]).toContain('cluster mode spends 30.0 ms (15× that)');
  });

  it('prices a wake-up from the run: CPU per order over wake-ups per order, beside the wake-up check', () => {
    const notes = opportunitiesFor(
      run({
        metrics: { 'cluster.cpuMsPerOrder': 60, 'cluster.wakeupsPerOrder': 300 },
        wakeup: { hotUs: 150, afterIdleUs: 1500, gapMs: 25 },
      }),
    )!;
    const line = notes.find((n) => n.startsWith('Wake-ups'))!;
    expect(line).toContain('woken 300 times per order');
    expect(line).toContain('200 µs of CPU per wake-up');
    expect(line).toContain('150 µs in a busy server and 1,500 µs after 25 ms asleep');
  });

  it('splits the CPU per order between the services and their databases', () => {
    const notes = opportunitiesFor(
      run({
        metrics: {
          'cluster.cpuMsPerOrder.orders': 8,
          'cluster.cpuMsPerOrder.payments': 5,
          'cluster.cpuMsPerOrder.PostgreSQL: orders': 3,
          'cluster.cpuMsPerOrder.PostgreSQL: payments': 1,
          'cluster.dbTransactionsPerOrder': 20,
        },
      }),
    )!;
    const split = notes.find((n) => n.startsWith('By process'))!;
    expect(split).toContain('the Node services take 13.0 ms per order (orders 8.0, payments 5.0)');
    expect(split).toContain("PostgreSQL's backends 4.0 ms for 20.0 transactions (0.20 ms each)");
  });

  it('says nothing when every budget of the scenario is met', () => {
    expect(opportunitiesFor(run({ budgets: [{ name: 'x', target: '< 1', actual: '0', met: true }] }))).toBeUndefined();
  });
});
