// Load drivers: wrk (Debian's, written in C: the least CPU per request, so it steals least from what is measured)
// when installed, autocannon (programmatic, in this process) otherwise and wherever a fixed rate or per-request
// bodies are needed.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { which } from './proc.ts';

const run = promisify(execFile);

export type DriveResult = {
  tool: 'wrk' | 'autocannon';
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

/** autocannon: closed model (connections) or, with `rate`, a fixed overall request rate. */
export async function runAutocannon(options: {
  url: string;
  connections: number;
  durationS: number;
  request: AutocannonRequest;
  rate?: number;
}): Promise<DriveResult> {
  const { request } = options;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    pipelining: 1,
    timeout: 10,
    ...(options.rate ? { overallRate: Math.max(1, Math.round(options.rate)) } : {}),
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
