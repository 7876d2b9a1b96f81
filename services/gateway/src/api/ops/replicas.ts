// Asking the replicas: one, each of every service, or any that answers; a replica that fails is named, not thrown.
import { randomBytes } from 'node:crypto';
import type { Replica } from '../../clients/upstreams.ts';
import { type ServiceName, serviceNames } from '../../domain/routes.ts';
import type { OpsApiDeps } from './routes.ts';

type Answer<T> = { status: number; body: T };

/** The console's own calls make no spans in the services: an unsampled trace context goes along with them. */
const unsampled = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;

export async function ask<T>(
  replica: Replica,
  deps: OpsApiDeps,
  path: string,
  post?: Record<string, unknown>,
): Promise<Answer<T>> {
  const res = await replica.pool.request({
    method: post ? 'POST' : 'GET',
    path,
    headers: {
      accept: 'application/json',
      'x-internal-key': deps.internalKey,
      traceparent: unsampled(),
      ...(post ? { 'content-type': 'application/json' } : {}),
    },
    body: post ? JSON.stringify(post) : undefined,
    headersTimeout: deps.timeoutMs,
    bodyTimeout: deps.timeoutMs,
    signal: AbortSignal.timeout(deps.timeoutMs),
  });
  const text = await res.body.text();
  let body: T;
  try {
    body = (text ? JSON.parse(text) : undefined) as T;
  } catch {
    throw new Error(`answered ${res.statusCode} with something other than JSON`);
  }
  return { status: res.statusCode, body };
}

/** Why a replica did not answer, in words that name no host. */
function reasonOf(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string };
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT') return 'timed out';
  if (e.message?.startsWith('answered')) return e.message;
  return `unreachable (${e.code ?? e.name ?? 'error'})`;
}

export type MissingReplica = { service: string; replica: string; reason: string };
type Gathered<T> = { answers: { service: ServiceName; replica: string; body: T }[]; missing: MissingReplica[] };

/** everyReplica asks each replica of each service the same question; those that fail are listed as missing. */
export async function everyReplica<T>(deps: OpsApiDeps, path: string, services: readonly ServiceName[] = serviceNames) {
  const asked = services.flatMap((service) =>
    deps.upstreams[service].replicas.map((replica) => ({ service, replica })),
  );
  const gathered: Gathered<T> = { answers: [], missing: [] };
  await Promise.all(
    asked.map(async ({ service, replica }) => {
      try {
        const { status, body } = await ask<T>(replica, deps, path);
        if (status !== 200) throw new Error(`answered ${status}`);
        gathered.answers.push({ service, replica: replica.url, body });
      } catch (err) {
        gathered.missing.push({ service, replica: replica.url, reason: reasonOf(err) });
      }
    }),
  );
  return gathered;
}

/** anyReplica asks the replicas in the balancer's order until one answers (not 5xx, not unreachable). */
export async function anyReplica<T>(
  deps: OpsApiDeps,
  service: ServiceName,
  path: string,
  post?: Record<string, unknown>,
): Promise<Answer<T> | undefined> {
  const up = deps.upstreams[service];
  const tried: Replica[] = [];
  for (let replica = up.pick(tried); replica; replica = up.pick(tried)) {
    tried.push(replica);
    try {
      const answer = await ask<T>(replica, deps, path, post);
      if (answer.status < 500) return answer;
    } catch {}
    if (tried.length >= up.replicas.length) break;
  }
  return undefined;
}
