// Finding a path's entry in the route table, as Fastify's router did when it routed the proxied paths: exact paths
// with or without one trailing slash, `/*` for everything below, `:name` for one segment. Pure: the proxy mounts its
// upstreams with it, the guard and the OpenAPI merge their service names.
import { type RouteNamer, routeNamer, routePattern, routeTable, type ServiceName, serviceNames } from './routes.ts';

// Fastify's limit on a wildcard parameter, kept for the paths it no longer routes.
const MAX_PARAM_LENGTH = 2048;

/**
 * A path of the route table and the subtree below it, with what it leads to (`target`); `name` names a path below by
 * the API route it matches. An entry with `:name` segments is a mount of its own, matched by its `pattern`.
 */
export type Mount<T> = {
  prefix: string;
  exact: string;
  wildcard: string;
  name: RouteNamer;
  target: T;
  pattern?: RegExp;
};

/** A route a path matched: `route` is its name in spans and metrics; `tooLong` a parameter past Fastify's limit. */
export type RouteMatch<T> = { route: string; target: T; tooLong: boolean };

/** The route table's entries as mounts, in its order (the first that matches wins); a table of its own in tests. */
export function mountsOf<T>(
  targets: Record<string, T>,
  table: readonly { path: string; service: string }[] = routeTable,
): Mount<T>[] {
  const byPrefix = new Map<string, Mount<T>>();
  const namer = routeNamer();
  for (const { path, service } of table) {
    const target = targets[service];
    const pattern = routePattern(path);
    if (pattern) {
      byPrefix.set(path, { prefix: '', exact: path, wildcard: path, name: () => path, target, pattern });
      continue;
    }
    const prefix = path.endsWith('/*') ? path.slice(0, -2) : path;
    const mount = byPrefix.get(prefix) ?? { prefix, exact: '', wildcard: '', name: namer(prefix), target };
    if (path.endsWith('/*')) mount.wildcard = path;
    else mount.exact = path;
    byPrefix.set(prefix, mount);
  }
  return [...byPrefix.values()];
}

/**
 * matchRoute finds the route of a decoded path, named by the API route below the wildcard when one matches
 * (`/api/orders/:id`); undefined when no proxied route matches.
 */
export function matchRoute<T>(mounts: Mount<T>[], path: string): RouteMatch<T> | undefined {
  for (const m of mounts) {
    if (m.pattern) {
      if (m.pattern.test(path)) return { route: m.exact, target: m.target, tooLong: false };
      continue;
    }
    if (!path.startsWith(m.prefix)) continue;
    const rest = path.length - m.prefix.length;
    if (m.exact && (rest === 0 || (rest === 1 && path.endsWith('/'))))
      return { route: m.exact, target: m.target, tooLong: false };
    if (m.wildcard && path.charCodeAt(m.prefix.length) === 47 /* / */)
      return { route: m.name(path) ?? m.wildcard, target: m.target, tooLong: rest - 1 > MAX_PARAM_LENGTH };
  }
  return undefined;
}

const serviceMounts = mountsOf(
  Object.fromEntries(serviceNames.map((name) => [name, name])) as Record<string, ServiceName>,
);

/** serviceFor names the service that answers a path, or undefined when the gateway does not route it. */
export const serviceFor = (path: string): ServiceName | undefined => matchRoute(serviceMounts, path)?.target;
