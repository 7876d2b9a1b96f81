// Where `bazaar up` listens, and the variables that move it. Cluster mode lays the services out from USERS_PORT:
// users, inventory, orders, payments, shipping in a row, replicas 100 apart, gRPC 1000 above each HTTP port.

export type ServicePorts = { users: number; inventory: number[]; orders: number[]; payments: number; shipping: number };

/** grpcPortOf: inventory and payments serve gRPC 1000 above their HTTP port (9082, 9182 and 9084 by default). */
export const grpcPortOf = (httpPort: number) => httpPort + 1000;

/** clusterPorts: the HTTP ports of cluster mode's services, from the first (users) on. */
export function clusterPorts(first: number, replicas: number): ServicePorts {
  const replicasOf = (port: number) => Array.from({ length: replicas }, (_, i) => port + 100 * i);
  return {
    users: first,
    inventory: replicasOf(first + 1),
    orders: replicasOf(first + 2),
    payments: first + 3,
    shipping: first + 4,
  };
}

/** clusterPortOffsets: every port cluster mode's services take, HTTP and gRPC, relative to the first. */
export function clusterPortOffsets(replicas: number): number[] {
  const p = clusterPorts(0, replicas);
  const http = [p.users, ...p.inventory, ...p.orders, p.payments, p.shipping];
  return [...http, ...[...p.inventory, p.payments].map(grpcPortOf)];
}

export type PlatformPorts = { gateway: number; services: number; jazzcash: number; easypaisa: number };

/** portEnv: the variables that put `bazaar up`, in either mode, and its payment sandboxes on these ports. */
export function portEnv(ports: PlatformPorts): Record<string, string> {
  const { gateway, services, jazzcash, easypaisa } = ports;
  return {
    PORT: String(gateway),
    USERS_PORT: String(services),
    INVENTORY_PORT: String(services + 1),
    ORDERS_PORT: String(services + 2),
    PAYMENTS_PORT: String(services + 3),
    SHIPPING_PORT: String(services + 4),
    JAZZCASH_SANDBOX_PORT: String(jazzcash),
    EASYPAISA_SANDBOX_PORT: String(easypaisa),
    JAZZCASH_URL: `http://127.0.0.1:${jazzcash}`,
    EASYPAISA_URL: `http://127.0.0.1:${easypaisa}`,
  };
}
