// Readiness: the gateway is ready when every service has at least one replica whose /readyz answers 200.
import { getJson, type Upstream } from '../clients/upstreams.ts';
import type { ServiceName } from '../domain/routes.ts';

/** checkReadiness answers the services with no ready replica (empty when all are ready). */
export async function checkReadiness(
  upstreams: Record<ServiceName, Upstream>,
  internalKey: string,
  timeoutMs: number,
): Promise<ServiceName[]> {
  const verdicts = await Promise.all(
    (Object.entries(upstreams) as [ServiceName, Upstream][]).map(async ([name, up]) => {
      try {
        await Promise.any(up.replicas.map((replica) => getJson(replica, '/readyz', internalKey, timeoutMs)));
        return undefined;
      } catch {
        return name;
      }
    }),
  );
  return verdicts.filter((name) => name !== undefined);
}
