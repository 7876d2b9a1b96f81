// Runs the load: customers first (not measured), then actions drawn from the mix, in an open model (a fixed arrival
// rate) or a closed one (virtual users), with a live progress line; answers the summary.
import { ACTIONS, type Action, type LoadOptions, picker } from './options.ts';
import { NO_CUSTOMER, type Outcome, Shop } from './shop.ts';
import { ActionStats, Histogram, RateWindow } from './stats.ts';

export type ActionSummary = {
  count: number;
  ok: number;
  failed: number;
  /** Actions that ended within the run, per second of it: those that ended while the run waited are left out. */
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  errors: Record<string, number>;
};

export type LoadSummary = {
  url: string;
  model: 'open' | 'closed';
  rate?: number;
  users?: number;
  /** The duration asked for. */
  durationS: number;
  /** How long actions were started: the duration, or less when interrupted. */
  ranS: number;
  /** From the start to the last answer waited for. */
  elapsedS: number;
  mix: Record<Action, number>;
  customers: number;
  actions: Partial<Record<Action, ActionSummary>>;
  total: ActionSummary;
  /** Errors of every action, by status and code ("429 RATE_LIMITED") or network error. */
  errors: Record<string, number>;
  /** Open model: arrivals not started because too many actions were still outstanding (the client saturated). */
  dropped: number;
  /** Actions sent that got no answer at all: refused, reset or timed out (the command then exits 1). */
  unanswered: number;
  /** Actions still unanswered when the run gave up waiting for them. */
  unfinished: number;
  /** Actions that ended after the run, while it waited for the last answers: in the counts, not in the rates. */
  late: number;
  /** The run was stopped before its duration (Ctrl-C); the figures cover the time it ran. */
  interrupted: boolean;
  hints: string[];
};

export type RunHooks = {
  /** Called about twice a second with the progress line's text; `final` ends a phase, leaving its line (if any). */
  progress?: (line: string, final: boolean) => void;
  /** Aborted: stop starting actions, give outstanding ones a moment, and answer the summary of what ran. */
  stop?: AbortSignal;
};

const SETTLE_MS = 10_000;
const SETTLE_INTERRUPTED_MS = 2_000;

export async function runLoad(options: LoadOptions, hooks: RunHooks = {}): Promise<LoadSummary> {
  const shop = new Shop(options.url, { connections: options.connections, timeoutMs: options.timeoutMs });
  const stats = new Map<Action, ActionStats>(ACTIONS.map((a) => [a, new ActionStats()]));
  const window = new RateWindow();
  const overall = new Histogram();
  const hints = new Set<string>();
  try {
    // Setup, not measured: the catalogue, optionally stock, and a pool of signed-up customers.
    try {
      await shop.loadCatalogue();
    } catch (err) {
      throw new Error(`cannot load the catalogue from ${options.url}: ${(err as Error).message}`);
    }
    const stopped = () => {
      if (hooks.stop?.aborted) throw new Error('stopped before the run began');
    };
    stopped();
    if (options.restock) await shop.restock({ email: options.adminEmail, password: options.adminPassword });
    const setupFailures = new Map<string, number>();
    for (let i = 0; i < options.customers; i += 5) {
      // Ctrl-C stops between batches; sign-ups can take minutes and say how far they are.
      stopped();
      hooks.progress?.(`signing up customers: ${i} of ${options.customers}`, false);
      const batch = Array.from({ length: Math.min(5, options.customers - i) }, () => shop.signUp());
      for (const outcome of await Promise.all(batch))
        if (!outcome.ok) setupFailures.set(outcome.key, (setupFailures.get(outcome.key) ?? 0) + 1);
    }
    if (options.customers > 0)
      hooks.progress?.(`signed up ${shop.customers.length} of ${options.customers} customers`, true);
    if (setupFailures.has('429 RATE_LIMITED')) hints.add(rateLimitHint);
    if (shop.customers.length === 0 && options.customers > 0)
      hints.add(
        `no customer could sign up before the run (${[...setupFailures].map(([k, n]) => `${k}×${n}`).join(', ')}); orders and tracking will fail`,
      );

    stopped();

    const pick = picker(options.mix);
    let inFlight = 0;
    let dropped = 0;
    let errors = 0;
    let unanswered = 0;
    let done = 0;
    const start = performance.now();
    let deadline = start + options.durationMs;
    let interrupted = false;
    // Ctrl-C ends the run now: the schedule and the users stop at the moved deadline.
    let end = () => {};
    const ended = new Promise<void>((resolve) => (end = resolve));
    const interrupt = () => {
      interrupted = true;
      deadline = Math.min(deadline, performance.now());
      end();
    };
    hooks.stop?.addEventListener('abort', interrupt, { once: true });

    const perform = async (action: Action): Promise<void> => {
      inFlight++;
      const began = performance.now();
      let outcome: Outcome;
      try {
        outcome = await shop.run(action);
      } catch (err) {
        outcome = { ok: false, key: (err as { code?: string }).code ?? 'CLIENT_ERROR', status: 0 };
      }
      const ms = performance.now() - began;
      inFlight--;
      const s = stats.get(action)!;
      const answered = outcome.ok || outcome.status !== 0;
      if (outcome.ok) s.success(ms);
      else {
        s.failure(ms, outcome.key, answered);
        errors++;
        if (!answered && outcome.key !== NO_CUSTOMER) unanswered++;
        if (outcome.status === 429) hints.add(rateLimitHint);
      }
      if (performance.now() <= deadline) s.withinRun++;
      done++;
      if (answered) overall.record(ms);
      window.mark(performance.now());
    };

    const progress = () => {
      const now = performance.now();
      const elapsed = (Math.min(now, deadline) - start) / 1000;
      hooks.progress?.(
        `${elapsed.toFixed(1).padStart(5)}s / ${(options.durationMs / 1000).toFixed(0)}s  ` +
          `${window.rate(now).toFixed(0).padStart(5)} actions/s  ${String(done).padStart(7)} done  ` +
          `${String(errors).padStart(5)} errors  p99 ${fmtMs(overall.percentile(99))}  ` +
          `in flight ${inFlight}${dropped ? `  dropped ${dropped}` : ''}`,
        false,
      );
    };
    const ticker = setInterval(progress, 500);

    const running = new Set<Promise<void>>();
    const track = (p: Promise<void>) => {
      running.add(p);
      void p.finally(() => running.delete(p));
    };

    if (options.rate !== undefined) {
      // Open model: arrivals at a fixed rate; the schedule does not wait for answers.
      const rate = options.rate;
      let launched = 0;
      await new Promise<void>((resolve) => {
        const tick = () => {
          const now = performance.now();
          const due = Math.floor(((Math.min(now, deadline) - start) * rate) / 1000);
          // Arrivals past the room left are dropped by arithmetic: one at a time, a huge rate froze the client.
          const starting = Math.max(0, Math.min(due - launched, options.maxInFlight - inFlight));
          for (let i = 0; i < starting; i++) track(perform(pick(Math.random())));
          dropped += due - launched - starting;
          launched = due;
          if (now >= deadline) resolve();
          else setTimeout(tick, Math.max(1, Math.min(10, 1000 / rate)));
        };
        tick();
      });
    } else {
      // Closed model: each virtual user starts its next action when its last one has ended.
      const users = options.users ?? 10;
      const user = async () => {
        while (performance.now() < deadline) {
          await perform(pick(Math.random()));
          if (options.thinkMs > 0) await new Promise((r) => setTimeout(r, options.thinkMs));
        }
      };
      for (let i = 0; i < users; i++) track(user());
      // The users run until the deadline: the settling grace below starts then, not now.
      const timer = setTimeout(end, Math.max(0, deadline - performance.now()));
      await ended;
      clearTimeout(timer);
    }

    // Let outstanding actions finish (they are counted), but not forever.
    const settled = Promise.all([...running]);
    const grace = interrupted ? SETTLE_INTERRUPTED_MS : SETTLE_MS;
    await Promise.race([settled, new Promise((r) => setTimeout(r, grace).unref())]);
    hooks.stop?.removeEventListener('abort', interrupt);
    clearInterval(ticker);
    progress();
    const elapsedS = (performance.now() - start) / 1000;
    const measuredS = Math.max((deadline - start) / 1000, 0.001);
    hooks.progress?.('', true);

    const actions: Partial<Record<Action, ActionSummary>> = {};
    const total = new ActionStats();
    for (const action of ACTIONS) {
      const s = stats.get(action)!;
      if (s.count === 0 && options.mix[action] === 0) continue;
      actions[action] = summarize(s, measuredS);
      total.latency.merge(s.latency);
      total.ok += s.ok;
      total.withinRun += s.withinRun;
      for (const [k, v] of s.errors) total.errors.set(k, (total.errors.get(k) ?? 0) + v);
    }
    const outOfStock = total.errors.get('409 OUT_OF_STOCK') ?? 0;
    if (outOfStock > 0 && !options.restock)
      hints.add(
        `${outOfStock} orders got 409 OUT_OF_STOCK: the catalogue ran low; --restock tops every product up first`,
      );
    if (unanswered > 0) {
      // Keys of answers start with their status; the rest but NO_CUSTOMER name a network error (ECONNREFUSED, a timeout…).
      const unansweredBy = [...total.errors]
        .filter(([k]) => !/^\d/.test(k) && k !== NO_CUSTOMER)
        .map(([k, n]) => `${k}×${n}`);
      hints.add(
        `${unanswered} actions got no answer at all (${unansweredBy.join(', ')}): the target went away, refused connections or could not keep up; their time is left out of the percentiles`,
      );
    }
    if (interrupted)
      hints.add(
        `stopped by Ctrl-C after ${measuredS.toFixed(1)} s of ${options.durationMs / 1000} s; the figures cover that time`,
      );
    if (dropped > 0)
      hints.add(
        `${dropped} arrivals were dropped because ${options.maxInFlight} actions were outstanding: the target (or this client) could not keep up with --rate ${options.rate}`,
      );
    return {
      url: options.url,
      model: options.rate === undefined ? 'closed' : 'open',
      ...(options.rate === undefined ? { users: options.users } : { rate: options.rate }),
      durationS: options.durationMs / 1000,
      ranS: round(measuredS, 2),
      elapsedS: round(elapsedS, 2),
      mix: options.mix,
      customers: shop.customers.length,
      actions,
      total: summarize(total, measuredS),
      errors: Object.fromEntries([...total.errors].sort((a, b) => b[1] - a[1])),
      dropped,
      unanswered,
      unfinished: inFlight,
      late: total.count - total.withinRun,
      interrupted,
      hints: [...hints],
    };
  } finally {
    await shop.close().catch(() => {});
  }
}

export const rateLimitHint =
  'the gateway answered 429 RATE_LIMITED: it limits each client to RATE_LIMIT_RPS requests per second (embedded default 50; all anonymous requests from one address are one client). Start the target with RATE_LIMIT_RPS=0 to load the platform rather than its limiter.';

function summarize(s: ActionStats, seconds: number): ActionSummary {
  const h = s.latency;
  return {
    count: s.count,
    ok: s.ok,
    failed: s.failed,
    rps: round(s.withinRun / seconds, 1),
    p50: round(h.percentile(50), 2),
    p95: round(h.percentile(95), 2),
    p99: round(h.percentile(99), 2),
    max: round(h.max, 2),
    mean: round(h.mean, 2),
    errors: Object.fromEntries([...s.errors].sort((a, b) => b[1] - a[1])),
  };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

export function fmtMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}
