// page-match: a browser app's page paths matched against a location. The app's router and the gateway (which answers
// 404 for a path that is none of an app's pages) both use it, so they cannot disagree. No Node imports: apps bundle it.

/** A page's `:name` segments and the values a path gave them. */
export type Params = Record<string, string>;

/** The segments of a path as the pages see them: empty ones (`//`, a trailing `/`) dropped. */
export const segmentsOf = (path: string) => path.split('/').filter(Boolean);

/** A segment decoded; one with broken percent-encoding (a mangled link) as sent, or undefined when `strict`. */
export function decodeSegment(segment: string, strict = false): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return strict ? undefined : segment;
  }
}

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

/**
 * matchPage finds the first of `pages` ([path, value] pairs) that a location path fits, with its params. `strict`
 * makes a segment with broken percent-encoding fit no page, where otherwise it is taken as sent.
 */
export function matchPage<T>(
  pages: readonly (readonly [string, T])[],
  pathname: string,
  { strict = false } = {},
): { value: T; params: Params } | undefined {
  const parts = segmentsOf(pathname).map((segment) => decodeSegment(segment, strict));
  if (!parts.every((part) => part !== undefined)) return undefined;
  for (const [page, value] of pages) {
    const params = paramsOf(page, parts);
    if (params) return { value, params };
  }
  return undefined;
}
