// Page paths: whether a path is one of a browser app's pages, by the list its build wrote (dist/routes.json).

const segmentsOf = (path: string) => path.split('/').filter(Boolean);

const decode = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/**
 * pagePaths compiles an app's page paths into a test of a request path. A `:name` segment takes any one segment;
 * the others are compared decoded, empty ones dropped (`//`, a trailing `/`), as the app's own router does.
 */
export function pagePaths(pages: readonly string[]): (path: string) => boolean {
  const patterns = pages.map(segmentsOf);
  return (path) => {
    const parts = segmentsOf(path).map(decode);
    return patterns.some((p) => p.length === parts.length && p.every((s, i) => s.startsWith(':') || s === parts[i]));
  };
}
