// Who sent a request when a load balancer stands in front: the entry it appended to X-Forwarded-For (or -Proto) is
// what it saw; anything left of that entry the client may have written itself, so it decides nothing.

/** lastForwarded answers the last entry of an X-Forwarded-* header, or undefined when there is none. */
export function lastForwarded(value: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(value) ? value.join(',') : value;
  if (!joined) return undefined;
  return joined.slice(joined.lastIndexOf(',') + 1).trim() || undefined;
}
