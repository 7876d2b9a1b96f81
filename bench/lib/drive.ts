// Load drivers: wrk (Debian's, written in C: the least CPU per request, so it steals least from what is measured)
// when installed, autocannon (programmatic, in this process) otherwise and wherever per-request bodies are needed,
// and a paced open loop (undici, in this process) for a fixed rate.
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import type { Traced } from './latency.ts';
import { which } from './proc.ts';

const run = promisify(execFile);

export type DriveResult = {
  tool: 'wrk' | 'autocannon' | 'paced';
  /** Answers per second with a 2xx status. */
  rps: number;
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  durationS: number;
  /** Paced runs: each 2xx answer's latency and its trace id (x-trace-id), when it had one. */
  traced?: Traced[];
};

export const wrkPath = () => which('wrk');

/** wrk, closed model: `connections` connections kept busy for `durationS`; latencies from its --latency table. */
export async function runWrk(options: {
  url: string;
  connections: number;
  threads?: number;
  durationS: number;
  headers?: Record<string, string>;
}): Promise<DriveResult> {
  const wrk = wrkPath();
  if (!wrk) throw new Error('wrk is not installed (apt-get install wrk)');
  const args = [
    `-t${options.threads ?? 1}`,
    `-c${options.connections}`,
    `-d${options.durationS}s`,
    '--latency',
    '--timeout',
    '10s',
  ];
  for (const [k, v] of Object.entries(options.headers ?? {})) args.push('-H', `${k}: ${v}`);
  args.push(options.url);
  const { stdout } = await run(wrk, args, { maxBuffer: 1 << 20 });
  return parseWrk(stdout, options.durationS);
}

const unit = (value: string, u: string) => Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 }[u] ?? 1);

export function parseWrk(text: string, durationS: number): DriveResult {
  const pct = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text);
    return m ? unit(m[1], m[2]) : Number.NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(text)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const errors = sock ? sock.slice(1).reduce((s, v) => s + Number(v), 0) : 0;
  const seconds = (() => {
    const m = /requests in ([\d.]+)(ms|s|m)/.exec(text);
    return m ? unit(m[1], m[2]) / 1000 : durationS;
  })();
  const ok = requests - non2xx;
  return {
    tool: 'wrk',
    rps: ok / seconds,
    requests,
    ok,
    non2xx,
    errors,
    p50: pct('50'),
    p90: pct('90'),
    p99: pct('99'),
    durationS: seconds,
  };
}

export type AutocannonRequest = {
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** A body per request (e.g. a fresh Idempotency-Key goes in `headers` of the same call). */
  make?: () => { headers?: Record<string, string>; body?: string };
};

/** autocannon, closed model: `connections` connections kept busy for `durationS`. */
export async function runAutocannon(options: {
  url: string;
  connections: number;
  durationS: number;
  request: AutocannonRequest;
}): Promise<DriveResult> {
  const { request } = options;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    pipelining: 1,
    timeout: 10,
    requests: [
      {
        method: request.method ?? 'GET',
        path: request.path,
        headers: request.headers,
        ...(request.make
          ? {
              setupRequest: (req: Record<string, unknown>) => {
                const made = request.make!();
                return {
                  ...req,
                  headers: { ...(req.headers as Record<string, string>), ...made.headers },
                  body: made.body,
                };
              },
            }
          : {}),
      },
    ],
  } as autocannon.Options);
  const ok = result['2xx'];
  return {
    tool: 'autocannon',
    rps: ok / result.duration,
    requests: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    durationS: result.duration,
  };
}

/**
 * A fixed rate, open model: request i is due at i / rate seconds, evenly spaced, over at most `connections`
 * connections. (autocannon's overallRate sends every connection's quota at the top of each second, so a fixed rate
 * arrived as one burst a second and its p99 was the time to drain the burst.) Latency counts from when a request was
 * due, so one that waited for a free connection or a late timer counts that wait too.
 */
export async function runPaced(options: {
  url: string;
  connections: number;
  durationS: number;
  rate: number;
  request: AutocannonRequest;
}): Promise<DriveResult> {
  const { request } = options;
  const target = new URL(options.url);
  const pool = new Pool(target.origin, {
    connections: options.connections,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const latencies: number[] = [];
  const traced: Traced[] = [];
  const counts = { ok: 0, non2xx: 0, errors: 0 };
  const send = async (due: number) => {
    const made = request.make?.();
    try {
      const res = await pool.request({
        method: request.method ?? 'GET',
        path: request.path,
        headers: { ...request.headers, ...made?.headers },
        body: made?.body,
      });
      await res.body.dump();
      if (res.statusCode >= 200 && res.statusCode < 300) {
        counts.ok++;
        const ms = performance.now() - due;
        latencies.push(ms);
        const traceId = res.headers['x-trace-id'];
        if (typeof traceId === 'string') traced.push({ ms, traceId });
      } else counts.non2xx++;
    } catch {
      counts.errors++;
    }
  };
  const total = Math.max(1, Math.round(options.rate * options.durationS));
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  const dueAt = (i: number) => start + (i * 1000) / options.rate;
  try {
    // Each tick sends what has fallen due (timers fire to the millisecond, faster rates are several a tick).
    let i = 0;
    while (i < total) {
      for (const now = performance.now(); i < total && dueAt(i) <= now; i++) inFlight.push(send(dueAt(i)));
      if (i < total) await sleep(Math.max(0, dueAt(i) - performance.now()));
    }
    await Promise.all(inFlight);
  } finally {
    await pool.close();
  }
  const durationS = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => (latencies.length ? latencies[Math.ceil(q * latencies.length) - 1] : Number.NaN);
  return {
    tool: 'paced',
    rps: counts.ok / durationS,
    requests: total,
    ...counts,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    durationS,
    traced,
  };
}
