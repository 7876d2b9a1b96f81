import { describe, expect, it } from 'vitest';
import { DEFAULT_MIX, parseDuration, parseLoadArgs, parseMix, picker, UsageError } from './options.ts';
import { formatSummary } from './report.ts';
import { fmtMs, type LoadSummary } from './runner.ts';
import { failed } from './shop.ts';
import { ActionStats, Histogram, median, RateWindow } from './stats.ts';

describe('Histogram', () => {
  it('gives percentiles within 1 % of the exact ones', () => {
    const h = new Histogram();
    const values = Array.from({ length: 10_000 }, (_, i) => (i + 1) / 10); // 0.1 .. 1000 ms
    for (const v of values) h.record(v);
    expect(h.count).toBe(10_000);
    for (const [p, exact] of [
      [50, 500],
      [95, 950],
      [99, 990],
      [100, 1000],
    ]) {
      expect(Math.abs(h.percentile(p) - exact) / exact).toBeLessThan(0.011);
    }
    expect(h.percentile(0)).toBeCloseTo(0.1, 2);
    expect(h.max).toBe(1000);
    expect(h.mean).toBeCloseTo(500.05, 1);
  });

  it('never answers outside what it saw, and merges', () => {
    const a = new Histogram();
    a.record(42);
    expect(a.percentile(50)).toBe(42);
    expect(a.percentile(99)).toBe(42);
    const b = new Histogram();
    for (let i = 0; i < 99; i++) b.record(1);
    a.merge(b);
    expect(a.count).toBe(100);
    expect(a.percentile(50)).toBeCloseTo(1, 1);
    expect(a.percentile(100)).toBe(42);
    expect(new Histogram().percentile(99)).toBe(0);
  });

  it('clamps absurd values and ignores invalid ones', () => {
    const h = new Histogram();
    h.record(-1);
    h.record(Number.NaN);
    expect(h.count).toBe(0);
    h.record(0);
    h.record(10_000_000);
    expect(h.count).toBe(2);
    expect(h.percentile(100)).toBe(10_000_000);
  });
});

describe('ActionStats, median and the rate window', () => {
  it('counts successes and failures by key', () => {
    const s = new ActionStats();
    s.success(1);
    s.failure(2, '429 RATE_LIMITED');
    s.failure(3, '429 RATE_LIMITED');
    s.failure(4, 'ECONNREFUSED');
    expect(s.count).toBe(4);
    expect(s.ok).toBe(1);
    expect(s.failed).toBe(3);
    expect(Object.fromEntries(s.errors)).toEqual({ '429 RATE_LIMITED': 2, ECONNREFUSED: 1 });
  });

  it('keeps attempts that got no answer out of the latencies, not out of the count', () => {
    const s = new ActionStats();
    s.success(100);
    s.failure(0.5, 'ECONNREFUSED', false);
    expect([s.count, s.failed, s.latency.count]).toEqual([2, 1, 1]);
    expect(s.latency.percentile(50)).toBeGreaterThan(99);
  });

  it('takes medians', () => {
    expect(median([])).toBe(0);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('counts the last second', () => {
    const w = new RateWindow();
    for (let t = 0; t < 2000; t += 10) w.mark(t);
    expect(w.rate(2000)).toBe(100);
    expect(w.rate(5000)).toBe(0);
  });
});

describe('durations and the mix', () => {
  it('reads durations', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(() => parseDuration('soon')).toThrow(UsageError);
    expect(() => parseDuration('0s')).toThrow(UsageError);
  });

  it('refuses a duration that rounds to nothing or outlasts what a timer can wait (it ran forever, deaf to Ctrl-C)', () => {
    expect(() => parseDuration('0.1ms')).toThrow(/more than zero/);
    expect(() => parseDuration('600h')).toThrow(/at most 24 days/);
    expect(() => parseDuration(`1${'0'.repeat(400)}`)).toThrow(/at most 24 days/);
    expect(parseDuration('576h')).toBe(576 * 3_600_000);
    expect(() => parseLoadArgs(['--think', '3000000000'], {})).toThrow(/at most/);
    expect(() => parseLoadArgs(['--timeout', '3000000000'], {})).toThrow(/at most/);
  });

  it('refuses a rate no client can start (1e9 froze it), saying the bound', () => {
    expect(() => parseLoadArgs(['--rate', '1e9'], {})).toThrow(
      '--rate can be at most 1000000 actions a second (one client process starts some thousands), not "1e9"',
    );
  });

  it('reads the default mix, and leaves unnamed actions out', () => {
    expect(parseMix(DEFAULT_MIX)).toEqual({ browse: 40, search: 15, view: 25, signup: 3, order: 12, track: 5 });
    expect(parseMix('order=1, browse = 3')).toEqual({ browse: 3, search: 0, view: 0, signup: 0, order: 1, track: 0 });
    expect(parseMix('view:2')).toMatchObject({ view: 2, browse: 0 });
  });

  it('refuses a bad mix', () => {
    expect(() => parseMix('buy=3')).toThrow(/unknown action "buy"/);
    expect(() => parseMix('browse=-1')).toThrow(UsageError);
    expect(() => parseMix('browse')).toThrow(UsageError);
    expect(() => parseMix('browse=0,order=0')).toThrow(/zero/);
    expect(() => parseMix('browse=1,browse=2')).toThrow(/twice/);
  });

  it('picks actions in proportion to their weights', () => {
    const pick = picker(parseMix('browse=3,order=1'));
    const counts = { browse: 0, order: 0 } as Record<string, number>;
    for (let i = 0; i < 1000; i++) counts[pick(i / 1000)]++;
    expect(counts).toEqual({ browse: 750, order: 250 });
    expect(pick(0.9999999)).toBe('order');
    const only = picker(parseMix('track=5'));
    expect(only(0)).toBe('track');
    expect(only(0.99)).toBe('track');
  });
});

describe('the command line', () => {
  it('has defaults: closed model, 10 users, 30 s, the shop mix, the local gateway', () => {
    const o = parseLoadArgs([], {});
    expect(o).toMatchObject({
      url: 'http://127.0.0.1:8080',
      users: 10,
      rate: undefined,
      durationMs: 30_000,
      json: false,
    });
    expect(o.mix.browse).toBe(40);
    expect(o.adminEmail).toBe('admin@bazaar.local');
  });

  it('loads the gateway at PORT when no --url is given, as verify does', () => {
    expect(parseLoadArgs([], { PORT: '27080' }).url).toBe('http://127.0.0.1:27080');
    expect(parseLoadArgs(['--url', 'http://shop.test:9000'], { PORT: '27080' }).url).toBe('http://shop.test:9000');
  });

  it('takes --customers 0 for a mix that needs none, and refuses it, naming them, for one with order or track', () => {
    expect(parseLoadArgs(['--customers', '0', '--mix', 'browse=2,search=1,view=1,signup=1'], {}).customers).toBe(0);
    expect(() => parseLoadArgs(['--customers', '0'], {})).toThrow(
      '--customers 0 leaves order and track in the mix without a customer; give at least 1, or a --mix without them',
    );
    expect(() => parseLoadArgs(['--customers', '0', '--mix', 'browse=1,order=1'], {})).toThrow(
      '--customers 0 leaves order in the mix without a customer; give at least 1, or a --mix without it',
    );
    expect(() => parseLoadArgs(['--customers', '-1', '--mix', 'browse=1'], {})).toThrow(UsageError);
  });

  it.each([
    ['--rate', '-5', '--rate must be a positive number, not "-5"'],
    ['--users', '-2', '--users must be a whole number ≥ 1, not "-2"'],
    ['--think', '-1', '--think must be a whole number ≥ 0, not "-1"'],
    ['--customers', '-1', '--customers must be a whole number ≥ 0, not "-1"'],
  ])('refuses %s %s by the rule of its values, not as a value that looks like an option', (flag, value, says) => {
    expect(() => parseLoadArgs([flag, value, '--mix', 'browse=1'], {})).toThrow(says);
  });

  it('takes a rate (open model) or users (closed model), not both', () => {
    expect(parseLoadArgs(['--rate', '250', '--duration', '5s', '--json'], {})).toMatchObject({
      rate: 250,
      users: undefined,
      durationMs: 5000,
      json: true,
    });
    expect(() => parseLoadArgs(['--rate', '5', '--users', '3'], {})).toThrow(/not both/);
    expect(() => parseLoadArgs(['--rate', '0'], {})).toThrow(UsageError);
    expect(parseLoadArgs(['--rate', '1000000'], {}).rate).toBe(1_000_000);
    expect(() => parseLoadArgs(['--users', '2.5'], {})).toThrow(UsageError);
    expect(() => parseLoadArgs(['--url', 'ftp://x'], {})).toThrow(UsageError);
    expect(() => parseLoadArgs(['--bogus'], {})).toThrow(UsageError);
    expect(parseLoadArgs(['--url', 'http://shop.test:9000/'], {}).url).toBe('http://shop.test:9000');
  });
});

describe('failures and the summary', () => {
  it('names a failure by status and problem code, or by network error', () => {
    expect(failed({ status: 429, body: { code: 'RATE_LIMITED' } })).toEqual({
      ok: false,
      key: '429 RATE_LIMITED',
      status: 429,
    });
    expect(failed({ status: 502, body: undefined })).toEqual({ ok: false, key: '502', status: 502 });
    expect(failed({ status: 0, body: undefined, error: 'ECONNREFUSED' }).key).toBe('ECONNREFUSED');
  });

  it('formats milliseconds', () => {
    expect(fmtMs(1.234)).toBe('1.23 ms');
    expect(fmtMs(12.34)).toBe('12.3 ms');
    expect(fmtMs(123.4)).toBe('123 ms');
    expect(fmtMs(1234)).toBe('1.23 s');
  });

  it('prints a table per action, its rate in actions (a sign-up is two requests), errors by code and the rate-limit hint', () => {
    const summary = summaryOf({ hints: ['RATE_LIMIT_RPS=0 turns it off'] });
    const text = formatSummary(summary);
    expect(text).toMatch(/action\s+count\s+ok\s+actions\/s\s+p50\s+p95\s+p99/);
    expect(text).not.toContain('req/s');
    expect(text).toMatch(/browse\s+10\s+8\s+5\.0/);
    expect(text).toMatch(/429 RATE_LIMITED\s+2/);
    expect(text).toContain('hint: RATE_LIMIT_RPS=0');
  });

  it('says that actions/s leaves out the actions that ended after the run, when some did', () => {
    expect(formatSummary(summaryOf({ late: 7 }))).toContain(
      'actions/s is over the 2 s run; count also has the 7 that ended after it',
    );
    expect(formatSummary(summaryOf({}))).not.toContain('actions/s is over');
  });

  it('says a run stopped by Ctrl-C was interrupted, and how long it ran, not the duration asked for', () => {
    const header = (overrides: Partial<LoadSummary>) => formatSummary(summaryOf(overrides)).split('\n')[0];
    expect(header({ interrupted: true, durationS: 30, ranS: 4.2, elapsedS: 4.56 })).toContain(
      'interrupted after 4.2 s of 30 s (4.56 s with the last answers)',
    );
    expect(header({ durationS: 2, ranS: 2, elapsedS: 2.1 })).toContain(', 2 s (2.1 s with the last answers)');
  });
});

/** A summary of a short open-model run of one action, with these fields changed. */
function summaryOf(overrides: Partial<LoadSummary>): LoadSummary {
  const a = {
    count: 10,
    ok: 8,
    failed: 2,
    rps: 5,
    p50: 2,
    p95: 3,
    p99: 4,
    max: 5,
    mean: 2,
    errors: { '429 RATE_LIMITED': 2 },
  };
  return {
    url: 'http://127.0.0.1:8080',
    model: 'open',
    rate: 5,
    durationS: 2,
    ranS: 2,
    elapsedS: 2.1,
    mix: parseMix('browse=1'),
    customers: 3,
    interrupted: false,
    actions: { browse: a },
    total: a,
    errors: { '429 RATE_LIMITED': 2 },
    dropped: 0,
    unanswered: 0,
    unfinished: 0,
    late: 0,
    hints: [],
    ...overrides,
  };
}
