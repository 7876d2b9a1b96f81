// The services behind the gateway, as the command line knows them: their names (each is the package @bazaar/<name>,
// its database <namespace>_<name> and its queue), where each one's port sits, and how cluster mode runs it. Adding a
// service starts with a row here; services/ADDING-A-SERVICE.md lists what else has to hear of it.

export type Service = {
  name: string;
  /** Serves gRPC too, on its HTTP port + 1000 (setting <NAME>_GRPC_URL for its callers). */
  grpc: boolean;
  /** Cluster mode runs REPLICAS instances of it, 100 ports apart, behind the gateway's load balancer. */
  replicated: boolean;
  /** Services it calls at once while serving a request: cluster mode starts it after them. */
  calls: readonly string[];
};

/** In the order of their ports: users on USERS_PORT (8081 by default), the others one after another. */
export const SERVICES = [
  { name: 'users', grpc: false, replicated: false, calls: [] },
  { name: 'inventory', grpc: true, replicated: true, calls: [] },
  { name: 'orders', grpc: false, replicated: true, calls: ['inventory', 'payments'] },
  { name: 'payments', grpc: true, replicated: false, calls: [] },
  { name: 'shipping', grpc: false, replicated: false, calls: [] },
] as const satisfies readonly Service[];

export type ServiceRow = (typeof SERVICES)[number];
export type ServiceName = ServiceRow['name'];

export const SERVICE_NAMES: ServiceName[] = SERVICES.map((s) => s.name);

/** settingsPrefix: how a service's settings begin (USERS_PORT, INVENTORY_URL, INVENTORY_GRPC_URL). */
export const settingsPrefix = (name: ServiceName) => name.toUpperCase();

/** startOrder: the services with those each one calls before it. */
export function startOrder(): ServiceRow[] {
  const started: ServiceRow[] = [];
  const start = (s: ServiceRow) => {
    if (started.includes(s)) return;
    for (const callee of s.calls) start(SERVICES.find((c) => c.name === callee)!);
    started.push(s);
  };
  for (const s of SERVICES) start(s);
  return started;
}
