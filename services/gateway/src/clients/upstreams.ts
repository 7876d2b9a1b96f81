// Each upstream service is a set of replicas behind keep-alive connection pools, picked in turn.
import { ConfigError } from '@bazaar/kit/config';
import { Pool } from 'undici';

export type Replica = { url: string; pool: Pool };

/**
 * Upstream is where one service's requests go. `pick` chooses the replica for the next request; health-based
 * ejection will change only `pick` (and whoever reports failures to it), never the callers.
 */
export type Upstream = {
  name: string;
  replicas: readonly Replica[];
  pick(): Replica;
  /** next answers the replica after `replica`, for a retry that must not land on the same one. */
  next(replica: Replica): Replica;
  close(): Promise<void>;
};

/** upstream parses a comma-separated list of base URLs (origins only) and opens one pool per replica. */
export function upstream(name: string, urls: string, options: { connections: number }): Upstream {
  const replicas: Replica[] = urls
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean)
    .map((u) => {
      const url = originOf(name, u);
      return { url, pool: new Pool(url, { connections: options.connections, pipelining: 1 }) };
    });
  if (replicas.length === 0) throw new ConfigError(`the ${name} upstream has no URL`);
  let turn = 0;
  return {
    name,
    replicas,
    pick() {
      turn = turn + 1 >= replicas.length ? 0 : turn + 1;
      return replicas[turn];
    },
    next: (replica) => replicas[(replicas.indexOf(replica) + 1) % replicas.length],
    close: async () => void (await Promise.all(replicas.map((r) => r.pool.close()))),
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

/** getJsonFromAny tries the replicas in turn and answers the first document one of them gives. */
export async function getJsonFromAny(
  up: Upstream,
  path: string,
  internalKey: string,
  timeoutMs: number,
): Promise<unknown> {
  let replica = up.pick();
  for (let i = 0; ; i++) {
    try {
      return await getJson(replica, path, internalKey, timeoutMs);
    } catch (err) {
      if (i + 1 >= up.replicas.length) throw err;
      replica = up.next(replica);
    }
  }
}
