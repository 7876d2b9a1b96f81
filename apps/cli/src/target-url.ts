// Where `bazaar verify` and `bazaar load` send their requests: --url, else the gateway `bazaar up` starts on this
// machine (PORT, default 8080).
import { ConfigError, readConfig } from '@bazaar/kit/config';
import { inheritedEnv, spec } from './config.ts';
import { UsageError } from './usage-error.ts';

/** targetUrl checks --url up front (an http(s) URL, else a UsageError) and drops its trailing slashes. */
export function targetUrl(given: string | undefined, env = inheritedEnv()): string {
  if (given === undefined) return `http://127.0.0.1:${gatewayPort(env)}`;
  const url = given.replace(/\/+$/, '');
  try {
    const { protocol } = new URL(url);
    if (protocol === 'http:' || protocol === 'https:') return url;
  } catch {}
  throw new UsageError(`--url "${given}" is not an http(s) URL (for example http://127.0.0.1:8080)`);
}

/** gatewayPort: PORT, read as `bazaar up` reads it; checked here, as a bad one made a URL blamed on --url. */
function gatewayPort(env: Record<string, string | undefined>): number {
  let port = Number.NaN;
  try {
    ({ port } = readConfig({ port: spec.port }, env));
  } catch {} // Not an integer: the message below names the value and the range, as for one out of it.
  if (port >= 1 && port <= 65_535) return port;
  throw new ConfigError(
    `PORT is "${env.PORT}", not a port from 1 to 65535 (without --url, the target is 127.0.0.1:PORT)`,
  );
}
