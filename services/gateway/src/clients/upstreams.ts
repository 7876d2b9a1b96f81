// Each upstream service is a set of replicas behind keep-alive connections: health-checked, ejected when they
// fail, and picked by fewest requests in flight (or in turn).
import { ConfigError } from '@bazaar/kit/config';
import type { Logger } from '@bazaar/kit/telemetry';
import { Gauge, type Registry } from 'prom-client';
import { Client, Pool } from 'undici';
import { type RelayConnections, relayConnections } from './relay-connections.ts';

export type Replica = {
  url: string;
  /** The sockets forwarded requests travel on. */
  relay: RelayConnections;
  /** undici's pool, for the gateway's own requests to the replica (the operations API's JSON). */
  pool: Pool;
  /** Requests dispatched to this replica whose answer has not finished (event streams stop counting once open). */
  pending: number;
  /** False once ejected: a failed health check or a broken connection. A successful health check brings it back. */
  healthy: boolean;
};

export type BalancePolicy = 'least-pending' | 'round-robin';

/**
 * Upstream is where one service's requests go. `pick` chooses the replica for the next attempt, `down` reports a
 * replica whose connection failed; the health checker brings it back.
 */
export type Upstream = {
  name: string;
  replicas: readonly Replica[];
  /**
   * pick chooses among the healthy replicas not in `tried` (fewest pending, ties in turn; or simply in turn); when
   * none is left, an ejected one not tried yet, since trying beats refusing. Undefined once every replica was tried.
   */
  pick(tried?: readonly Replica[]): Replica | undefined;
  /** down ejects a replica at once (passive ejection); it takes traffic again after its next successful health check. */
  down(replica: Replica, reason: string): void;
  close(): Promise<void>;
};

export type UpstreamOptions = {
  connections: number;
  balance?: BalancePolicy;
  /** How long opening a connection to a replica may take before it counts as down. */
  connectTimeoutMs?: number;
  /** Active health checks: `GET /healthz` on every replica each `intervalMs`; 0 or absent turns them off. */
  healthIntervalMs?: number;
  healthTimeoutMs?: number;
  registry?: Registry;
  log?: Logger;
};

const HEALTH_PATH = '/healthz';

/** upstream parses a comma-separated list of base URLs (origins only) and opens one pool per replica. */
export function upstream(name: string, urls: string, options: UpstreamOptions): Upstream {
  const connectTimeout = options.connectTimeoutMs ?? 2_000;
  const replicas: Replica[] = urls
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean)
    .map((u) => {
      const url = originOf(name, u);
      return {
        url,
        relay: relayConnections(url, { connections: options.connections, connectTimeoutMs: connectTimeout }),
        pool: new Pool(url, { connections: 4, pipelining: 1, connect: { timeout: connectTimeout } }),
        pending: 0,
        healthy: true,
      };
    });
  if (replicas.length === 0) throw new ConfigError(`the ${name} upstream has no URL`);
  const roundRobin = options.balance === 'round-robin';
  const log = options.log;
  const gauge = options.registry ? healthGauge(options.registry) : undefined;
  // The replica's position in the service's URL list: /metrics is public, and the URL is an internal host name.
  const labels = (r: Replica) => ({ service: name, replica: String(replicas.indexOf(r)) });
  for (const r of replicas) gauge?.set(labels(r), 1);
  // When each replica was last ejected: a health check that began before it cannot vouch for it.
  const downAt = new Map<Replica, number>();
  let turn = 0;

  function setHealthy(replica: Replica, healthy: boolean, reason: string): void {
    if (replica.healthy === healthy) return;
    replica.healthy = healthy;
    gauge?.set(labels(replica), healthy ? 1 : 0);
    if (healthy) log?.info({ upstream: name, replica: replica.url }, 'upstream replica is back');
    else log?.warn({ upstream: name, replica: replica.url, reason }, 'upstream replica ejected');
  }

  const checker = options.healthIntervalMs
    ? healthChecker(replicas, {
        intervalMs: options.healthIntervalMs,
        timeoutMs: options.healthTimeoutMs ?? Math.min(options.healthIntervalMs, 1_000),
        verdict(replica, ok, startedAt, reason) {
          if (ok && startedAt < (downAt.get(replica) ?? 0)) return;
          if (!ok) downAt.set(replica, Date.now());
          setHealthy(replica, ok, reason);
        },
      })
    : undefined;

  return {
    name,
    replicas,
    pick(tried) {
      const n = replicas.length;
      let best: Replica | undefined;
      let bestAt = 0;
      let fallback: Replica | undefined;
      let fallbackAt = 0;
      for (let k = 0; k < n; k++) {
        const at = (turn + k) % n;
        const r = replicas[at];
        if (tried?.includes(r)) continue;
        if (!r.healthy) {
          if (fallback === undefined || r.pending < fallback.pending) [fallback, fallbackAt] = [r, at];
          continue;
        }
        // Strictly fewer, so equal replicas keep the rotation's order.
        if (best === undefined || r.pending < best.pending) [best, bestAt] = [r, at];
        if (roundRobin || best.pending === 0) break;
      }
      if (best === undefined && fallback === undefined) return undefined;
      turn = ((best ? bestAt : fallbackAt) + 1) % n;
      return best ?? fallback;
    },
    down(replica, reason) {
      downAt.set(replica, Date.now());
      setHealthy(replica, false, reason);
    },
    close: async () => {
      await checker?.close();
      for (const r of replicas) r.relay.close();
      await Promise.all(replicas.map((r) => r.pool.close()));
    },
  };
}

function healthGauge(registry: Registry): Gauge<'service' | 'replica'> {
  const existing = registry.getSingleMetric('gateway_upstream_healthy');
  if (existing) return existing as Gauge<'service' | 'replica'>;
  return new Gauge({
    name: 'gateway_upstream_healthy',
    help: 'Whether the gateway sends traffic to upstream replica number <replica> (1) or has ejected it (0)',
    labelNames: ['service', 'replica'] as const,
    registers: [registry],
  });
}

/**
 * healthChecker asks every replica for `GET /healthz` each interval, on a connection of its own so a busy pool never
 * delays the probe. A 200 within the timeout is healthy; anything else is not.
 */
function healthChecker(
  replicas: Replica[],
  options: {
    intervalMs: number;
    timeoutMs: number;
    verdict(replica: Replica, ok: boolean, startedAt: number, reason: string): void;
  },
) {
  const probes = replicas.map((replica) => ({
    replica,
    client: new Client(replica.url, {
      pipelining: 1,
      connect: { timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    }),
    running: false,
  }));
  let closed = false;

  async function probe(p: (typeof probes)[number]): Promise<void> {
    if (p.running || closed) return;
    p.running = true;
    const startedAt = Date.now();
    const signal = AbortSignal.timeout(options.timeoutMs);
    try {
      const res = await p.client.request({ method: 'GET', path: HEALTH_PATH, signal });
      await res.body.dump({ limit: 64 * 1024, signal });
      if (!closed)
        options.verdict(p.replica, res.statusCode === 200, startedAt, `health check answered ${res.statusCode}`);
    } catch (err) {
      const e = err as { code?: string; name?: string };
      if (!closed) options.verdict(p.replica, false, startedAt, `health check failed (${e.code ?? e.name ?? 'error'})`);
    } finally {
      p.running = false;
    }
  }

  const round = () => {
    for (const p of probes) void probe(p);
  };
  const timer = setInterval(round, options.intervalMs);
  timer.unref();
  round();

  return {
    async close() {
      closed = true;
      clearInterval(timer);
      await Promise.all(probes.map((p) => p.client.destroy().catch(() => {})));
    },
  };
}

function originOf(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`the ${name} upstream URL "${raw}" is not a URL`);
  }
  if (url.pathname !== '/' || url.search)
    throw new ConfigError(`the ${name} upstream URL "${raw}" must be an origin, without a path`);
  return url.origin;
}

/** UpstreamDown: a replica could not be reached or did not answer 2xx; its message names no host. */
export class UpstreamDown extends Error {}

/** getJson asks one replica for a JSON document, carrying the internal key; non-2xx answers throw UpstreamDown. */
export async function getJson(
  replica: Replica,
  path: string,
  internalKey: string,
  timeoutMs: number,
): Promise<unknown> {
  let res: Awaited<ReturnType<Pool['request']>>;
  try {
    res = await replica.pool.request({
      method: 'GET',
      path,
      headers: { accept: 'application/json', 'x-internal-key': internalKey },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch {
    throw new UpstreamDown('unreachable');
  }
  if (res.statusCode < 200 || res.statusCode >= 300) {
    await res.body.dump();
    throw new UpstreamDown(`answered ${res.statusCode}`);
  }
  try {
    return await res.body.json();
  } catch {
    throw new UpstreamDown('answered something other than JSON');
  }
}

/** getJsonFromAny tries the replicas, healthy ones first, and answers the first document one of them gives. */
export async function getJsonFromAny(
  up: Upstream,
  path: string,
  internalKey: string,
  timeoutMs: number,
): Promise<unknown> {
  const tried: Replica[] = [];
  for (;;) {
    const replica = up.pick(tried);
    if (replica === undefined) throw new UpstreamDown('unreachable');
    try {
      return await getJson(replica, path, internalKey, timeoutMs);
    } catch (err) {
      tried.push(replica);
      if (tried.length >= up.replicas.length) throw err;
    }
  }
}
