// Where `bazaar up` listens, and the variables that move it. Cluster mode lays the services out from USERS_PORT:
// users, inventory, orders, payments, shipping in a row, replicas 100 apart, gRPC 1000 above each HTTP port.
import { SERVICES, type ServiceName, type ServiceRow, settingsPrefix } from './services.ts';

/** The HTTP ports of each service: one, or REPLICAS of them for those cluster mode replicates. */
export type ServicePorts = Record<ServiceName, number[]>;

/** grpcPortOf: inventory and payments serve gRPC 1000 above their HTTP port (9082, 9182 and 9084 by default). */
export const grpcPortOf = (httpPort: number) => httpPort + 1000;

/** clusterPorts: the HTTP ports of cluster mode's services, from the first (users) on. */
export function clusterPorts(first: number, replicas: number): ServicePorts {
  const portsOf = (s: ServiceRow, slot: number) =>
    Array.from({ length: s.replicated ? replicas : 1 }, (_, i) => first + slot + 100 * i);
  return Object.fromEntries(SERVICES.map((s, slot) => [s.name, portsOf(s, slot)])) as ServicePorts;
}

/** clusterPortOffsets: every port cluster mode's services take, HTTP and gRPC, relative to the first. */
export function clusterPortOffsets(replicas: number): number[] {
  const p = clusterPorts(0, replicas);
  return SERVICES.flatMap((s) => [...p[s.name], ...(s.grpc ? p[s.name].map(grpcPortOf) : [])]);
}

/** serviceUrls: where the services are, as their callers' settings name them: <NAME>_URL, and <NAME>_GRPC_URL. */
export function serviceUrls(ports: ServicePorts): Record<string, string> {
  const list = (render: (port: number) => string, name: ServiceName) => ports[name].map(render).join(',');
  return Object.fromEntries(
    SERVICES.flatMap(({ name, grpc }) => [
      [`${settingsPrefix(name)}_URL`, list((port) => `http://127.0.0.1:${port}`, name)],
      ...(grpc ? [[`${settingsPrefix(name)}_GRPC_URL`, list((port) => `127.0.0.1:${grpcPortOf(port)}`, name)]] : []),
    ]),
  );
}

/** ownPortSettings: what puts one instance of a service on its port: <NAME>_PORT, and <NAME>_GRPC_PORT. */
export function ownPortSettings(s: ServiceRow, port: number): Record<string, string> {
  const prefix = settingsPrefix(s.name);
  return { [`${prefix}_PORT`]: String(port), ...(s.grpc ? { [`${prefix}_GRPC_PORT`]: String(grpcPortOf(port)) } : {}) };
}

export type PlatformPorts = { gateway: number; services: number; jazzcash: number; easypaisa: number };

/** portEnv: the variables that put `bazaar up`, in either mode, and its payment sandboxes on these ports. */
export function portEnv(ports: PlatformPorts): Record<string, string> {
  const { gateway, services, jazzcash, easypaisa } = ports;
  return {
    PORT: String(gateway),
    ...Object.fromEntries(SERVICES.map((s, slot) => [`${settingsPrefix(s.name)}_PORT`, String(services + slot)])),
    JAZZCASH_SANDBOX_PORT: String(jazzcash),
    EASYPAISA_SANDBOX_PORT: String(easypaisa),
    JAZZCASH_URL: `http://127.0.0.1:${jazzcash}`,
    EASYPAISA_URL: `http://127.0.0.1:${easypaisa}`,
  };
}

/** Embedded mode's ports as its settings give them; an unset gRPC port is its service's port + 1000. */
export type EmbeddedPorts = Record<'gateway' | ServiceName | 'jazzcash' | 'easypaisa', number> &
  Partial<Record<`${ServiceName}Grpc`, number>>;

/** A port `bazaar up` takes: whose it is (`owner`), the setting that gives it (`from`), the variable that moves it. */
export type PortUse = { port: number; owner: string; from: string; moves: string };

/** embeddedPortUses: every fixed port of embedded mode with the setting behind it (0, any free port, never clashes). */
export function embeddedPortUses(p: EmbeddedPorts): PortUse[] {
  const own = (port: number, owner: string, env: string): PortUse => ({ port, owner, from: env, moves: env });
  const grpc = (port: number, owner: string, env: string, set: number | undefined): PortUse =>
    set === undefined
      ? { port: port === 0 ? 0 : grpcPortOf(port), owner, from: `${env} + 1000`, moves: env }
      : own(set, owner, env.replace('_PORT', '_GRPC_PORT'));
  const services = SERVICES.flatMap(({ name, grpc: grpcToo }) => {
    const [env, whose] = [`${settingsPrefix(name)}_PORT`, name.endsWith('s') ? `${name}'` : `${name}'s`];
    const http = own(p[name], `${whose} port`, env);
    return grpcToo ? [http, grpc(p[name], `${whose} gRPC port`, env, p[`${name}Grpc`])] : [http];
  });
  return [
    own(p.gateway, "the gateway's port", 'PORT'),
    ...services,
    own(p.jazzcash, "the JazzCash sandbox's port", 'JAZZCASH_SANDBOX_PORT'),
    own(p.easypaisa, "the EasyPaisa sandbox's port", 'EASYPAISA_SANDBOX_PORT'),
  ].filter((u) => u.port !== 0);
}

/**
 * portInUse: the port of an EADDRINUSE failure, from Node's listen error (Fastify) or from the message grpc-js
 * wraps it in ("No address added out of total 1 resolved errors: [listen EADDRINUSE: … 127.0.0.1:9082]").
 */
export function portInUse(err: unknown): number | undefined {
  const { code, port, message } = (err ?? {}) as { code?: string; port?: number; message?: string };
  if (code === 'EADDRINUSE' && typeof port === 'number') return port;
  const wrapped = /EADDRINUSE[^\]\n]*:(\d+)/.exec(message ?? '');
  return wrapped ? Number(wrapped[1]) : undefined;
}

/** portClash: a failure to start told as the port taken and the variable that moves it; undefined for any other. */
export function portClash(err: unknown, uses: PortUse[]): string | undefined {
  const port = portInUse(err);
  if (port === undefined) return undefined;
  const holders = uses.filter((u) => u.port === port);
  if (holders.length === 0) return `port ${port} is in use; stop what holds it`;
  if (holders.length > 1)
    return `port ${port} is given twice, as ${holders.map((h) => `${h.owner} (${h.from})`).join(' and ')}; set ${holders.map((h) => h.moves).join(' or ')} to another port`;
  const [h] = holders;
  return `port ${port} (${h.owner}: ${h.from}) is in use; set ${h.moves}, or stop what holds it`;
}
