// page-routes: an app's pages as one list of paths, which its router matches a location against and its build hands
// the gateway (pageList in vite.ts, dist/routes.json), which matches a request the same way.

/** A page's `:name` segments and the values a path gave them. */
export type Params = Record<string, string>;

/** The segments of a path as the pages see them: empty ones (`//`, a trailing `/`) dropped. */
export const segmentsOf = (path: string) => path.split('/').filter(Boolean);

/** The `:name` segments' values when a path's (decoded) segments fit the page's, else undefined. */
export function paramsOf(page: string, parts: readonly string[]): Params | undefined {
  const pattern = segmentsOf(page);
  if (pattern.length !== parts.length) return undefined;
  const params: Params = {};
  for (const [i, segment] of pattern.entries()) {
    if (segment.startsWith(':')) params[segment.slice(1)] = parts[i];
    else if (segment !== parts[i]) return undefined;
  }
  return params;
}
