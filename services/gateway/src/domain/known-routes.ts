// The operations the services publish (their merged OpenAPI paths), as a lookup: whether a method and path name one.
// With it the gateway answers an anonymous caller 404 for a route no service has, as it answers one signed in,
// instead of asking for a token that would not help.
import { routeNamer } from './routes.ts';

export type KnownRoutes = { has(method: string, path: string): boolean };

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

/** knownRoutes indexes a document's paths (`{name}` is one segment); GET covers HEAD, as Fastify serves both. */
export function knownRoutes(paths: Record<string, object>): KnownRoutes {
  const methods = new Map(
    Object.entries(paths).map(([path, item]) => [
      path.replace(/\{([^}]+)\}/g, ':$1'),
      new Set(
        Object.keys(item)
          .filter((key) => METHODS.has(key))
          .map((m) => m.toUpperCase()),
      ),
    ]),
  );
  const name = routeNamer([...methods.keys()])();
  return {
    has(method, path) {
      const allowed = methods.get(name(path) ?? '');
      return allowed !== undefined && (allowed.has(method) || (method === 'HEAD' && allowed.has('GET')));
    },
  };
}
