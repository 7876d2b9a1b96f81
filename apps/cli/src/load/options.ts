// `bazaar load` options: parsing and validating the command line, durations and the action mix.
import { parseArgs } from 'node:util';
import { inheritedEnv } from '../config.ts';
import { targetUrl } from '../target-url.ts';
import { UsageError } from '../usage-error.ts';

export { UsageError } from '../usage-error.ts';

export const ACTIONS = ['browse', 'search', 'view', 'signup', 'order', 'track'] as const;
export type Action = (typeof ACTIONS)[number];
export type Mix = Record<Action, number>;

/** The default mix, in the spirit of Online Boutique's Locust file: mostly looking, some buying, a few sign-ups. */
export const DEFAULT_MIX = 'browse=40,search=15,view=25,signup=3,order=12,track=5';

export type LoadOptions = {
  url: string;
  /** Open model: new actions started per second, whatever the answers' speed. */
  rate?: number;
  /** Closed model: this many virtual users, each starting its next action when the last one ends. */
  users?: number;
  durationMs: number;
  mix: Mix;
  json: boolean;
  /** Customers signed up before the run starts; orders and tracking use them (sign-ups add more). */
  customers: number;
  /** Keep-alive connections to the target. */
  connections: number;
  /** Closed model: pause between a user's actions. */
  thinkMs: number;
  timeoutMs: number;
  /** Top every product's stock up (as the admin) before the run, so orders do not run out. */
  restock: boolean;
  adminEmail: string;
  adminPassword: string;
  /** Open model: actions that may be outstanding at once before new arrivals are dropped (client saturated). */
  maxInFlight: number;
  quiet: boolean;
};

export const loadHelp = `bazaar load: drive a Bazaar deployment with a realistic shop mix and report what it did

Usage: bazaar load [--url URL] [--rate N | --users N] [--duration 30s] [--mix ...] [--json]

  --url URL          the gateway to load, any deployment (default: the one \`bazaar up\` starts here,
                     http://127.0.0.1:<PORT>, PORT's default being 8080)
  --rate N           open model: start N actions per second, however slow the answers (arrival rate,
                     at most 1000000)
  --users N          closed model: N virtual users, each doing one action after another (default 10)
  --duration D       how long to run: 30s (default), 2m, 500ms, or a number of seconds (at most 576h)
  --mix LIST         weights of the actions (default ${DEFAULT_MIX})
                     browse: a page of the catalogue   search: ?q=term   view: one product
                     signup: sign up and log in        order: place an order (approving wallet 03001234567,
                     with an Idempotency-Key)          track: look at an order or follow its shipment
  --customers N      customers signed up before the run, for orders and tracking (default 10; 0 for a mix
                     without order and track)
  --connections N    keep-alive connections to the target (default 128)
  --think MS         closed model: pause between a user's actions (default 0)
  --timeout MS       one request's deadline (default 10000)
  --max-inflight N   open model: outstanding actions before arrivals are dropped (default 2000)
  --restock          top every product's stock up first, as the admin (BAZAAR_ADMIN_EMAIL / BAZAAR_ADMIN_PASSWORD,
                     embedded defaults otherwise), so that long runs do not end in OUT_OF_STOCK
  --json             print the summary as JSON on stdout (the progress line stays on stderr)
  --quiet            no progress line

While it runs, a progress line on stderr shows the rate, errors and p99 so far; at the end a table gives, per
action, the count, rate, p50/p95/p99 and the errors by status and code. Note: the gateway limits each client to
RATE_LIMIT_RPS requests per second (embedded default 50, and every anonymous request from this machine is one
client); start the target with RATE_LIMIT_RPS=0 to measure it rather than its limiter. Ctrl-C stops the run early
and still prints the summary of what ran (a second Ctrl-C quits at once).

Exit status: 0 when every action got an answer (error answers such as 409 included), 1 when some got none (the
target refused, reset or did not answer in time), 2 for a command line it cannot read, 130 when stopped by Ctrl-C.`;

/** parseDuration reads 30s, 2m, 1h, 500ms or a bare number of seconds; answers milliseconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) throw new UsageError(`"${text}" is not a duration (try 30s, 2m, 500ms)`);
  const value = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = Math.round(value * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!);
  if (ms <= 0) throw new UsageError(`the duration must be more than zero, not "${text}"`);
  if (ms > MAX_DURATION_MS) throw new UsageError(`the duration can be at most 24 days (576h), not "${text}"`);
  return ms;
}

// MAX_DURATION_MS: Node's timers wait at most 2^31 - 1 ms (24.8 days); a longer wait fires at once.
const MAX_DURATION_MS = 24 * 86_400_000;
// MAX_RATE: far past what one Node process can start, so no real run is refused; beyond it a rate is a typo.
const MAX_RATE = 1_000_000;

/** parseMix reads "browse=40,order=10": the named actions with their weights; unnamed actions do not run. */
export function parseMix(text: string): Mix {
  const mix = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Mix;
  const seen = new Set<string>();
  for (const part of text.split(',')) {
    if (!part.trim()) continue;
    const m = /^\s*([a-z]+)\s*[=:]\s*(\d+(?:\.\d+)?)\s*$/i.exec(part);
    if (!m) throw new UsageError(`"${part.trim()}" in --mix is not action=weight`);
    const action = m[1].toLowerCase();
    if (!(ACTIONS as readonly string[]).includes(action))
      throw new UsageError(`unknown action "${m[1]}" in --mix; the actions are ${ACTIONS.join(', ')}`);
    if (seen.has(action)) throw new UsageError(`"${action}" appears twice in --mix`);
    seen.add(action);
    mix[action as Action] = Number(m[2]);
  }
  if (ACTIONS.every((a) => mix[a] === 0)) throw new UsageError('--mix gives every action a weight of zero');
  return mix;
}

/** picker turns a mix into a function of a uniform random number in [0, 1) that names an action by weight. */
export function picker(mix: Mix): (r: number) => Action {
  const entries = ACTIONS.filter((a) => mix[a] > 0).map((a) => ({ action: a, weight: mix[a] }));
  const total = entries.reduce((s, e) => s + e.weight, 0);
  const edges: number[] = [];
  let acc = 0;
  for (const e of entries) {
    acc += e.weight / total;
    edges.push(acc);
  }
  return (r) => {
    for (let i = 0; i < edges.length; i++) if (r < edges[i]) return entries[i].action;
    return entries[entries.length - 1].action;
  };
}

/** The mix as percentages, for the report: "browse 40 %, search 15 %, ...". */
export function describeMix(mix: Mix): string {
  const total = ACTIONS.reduce((s, a) => s + mix[a], 0);
  return ACTIONS.filter((a) => mix[a] > 0)
    .map((a) => `${a} ${Math.round((mix[a] / total) * 1000) / 10}%`)
    .join(', ');
}

const positiveInt = (name: string, text: string | undefined, fallback: number, min = 1, max = Infinity): number => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, not "${text}"`);
  if (n > max) throw new UsageError(`--${name} can be at most ${max}, not "${text}"`);
  return n;
};

/** The options that take a number, whose value may be typed negative. */
const NUMBER_OPTIONS = ['rate', 'users', 'customers', 'connections', 'think', 'timeout', 'max-inflight'];

/**
 * negativeValuesJoined turns `--rate -5` into `--rate=-5`: parseArgs reads "-5" as an option and calls the value
 * ambiguous, advising `--rate=-XYZ`, which the range check below then refuses; this way that check speaks first.
 */
function negativeValuesJoined(args: string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const takesNumber = args[i].startsWith('--') && NUMBER_OPTIONS.includes(args[i].slice(2));
    if (takesNumber && /^-\d/.test(args[i + 1] ?? '')) joined.push(`${args[i]}=${args[++i]}`);
    else joined.push(args[i]);
  }
  return joined;
}

export function parseLoadArgs(
  args: string[],
  env: Record<string, string | undefined> = inheritedEnv(),
): LoadOptions & { help: boolean } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: negativeValuesJoined(args),
      options: {
        url: { type: 'string' },
        rate: { type: 'string' },
        users: { type: 'string' },
        duration: { type: 'string' },
        mix: { type: 'string' },
        json: { type: 'boolean' },
        customers: { type: 'string' },
        connections: { type: 'string' },
        think: { type: 'string' },
        timeout: { type: 'string' },
        'max-inflight': { type: 'string' },
        restock: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const str = (k: string) => values[k] as string | undefined;
  if (str('rate') !== undefined && str('users') !== undefined)
    throw new UsageError('give either --rate (open model) or --users (closed model), not both');
  let rate: number | undefined;
  if (str('rate') !== undefined) {
    rate = Number(str('rate'));
    if (!Number.isFinite(rate) || rate <= 0)
      throw new UsageError(`--rate must be a positive number, not "${str('rate')}"`);
    if (rate > MAX_RATE)
      throw new UsageError(
        `--rate can be at most ${MAX_RATE} actions a second (one client process starts some thousands), not "${str('rate')}"`,
      );
  }
  const users = rate === undefined ? positiveInt('users', str('users'), 10) : undefined;
  const url = targetUrl(str('url'), env);
  const mix = parseMix(str('mix') ?? DEFAULT_MIX);
  const customers = positiveInt('customers', str('customers'), 10, 0);
  // Orders and tracking act as a customer signed up before; browse, search and view need none, signup makes its own.
  const needing = (['order', 'track'] as const).filter((a) => mix[a] > 0);
  if (customers === 0 && needing.length > 0)
    throw new UsageError(
      `--customers 0 leaves ${needing.join(' and ')} in the mix without a customer; give at least 1, or a --mix without ${needing.length > 1 ? 'them' : 'it'}`,
    );
  return {
    help: Boolean(values.help),
    url,
    rate,
    users,
    durationMs: parseDuration(str('duration') ?? '30s'),
    mix,
    json: Boolean(values.json),
    customers,
    connections: positiveInt('connections', str('connections'), 128),
    thinkMs: positiveInt('think', str('think'), 0, 0, MAX_DURATION_MS),
    timeoutMs: positiveInt('timeout', str('timeout'), 10_000, 1, MAX_DURATION_MS),
    maxInFlight: positiveInt('max-inflight', str('max-inflight'), 2000),
    restock: Boolean(values.restock),
    adminEmail: env.BAZAAR_ADMIN_EMAIL ?? 'admin@bazaar.local',
    adminPassword: env.BAZAAR_ADMIN_PASSWORD ?? 'bazaar-admin',
    quiet: Boolean(values.quiet),
  };
}
