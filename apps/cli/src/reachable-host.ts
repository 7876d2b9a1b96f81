// Where this machine reaches a server by the interface it listens on: `up`'s banners and `up --cluster`'s probes.

/** Addresses that mean "every interface": a URL cannot go there, loopback reaches them. */
const EVERY_INTERFACE = new Set(['0.0.0.0', '::']);

/** reachableHost is the host part of a URL to a server listening on `host`: loopback for every interface, IPv6 bracketed. */
export function reachableHost(host: string): string {
  if (EVERY_INTERFACE.has(host)) return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
