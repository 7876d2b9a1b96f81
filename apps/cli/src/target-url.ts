// Where `bazaar verify` and `bazaar load` send their requests: --url, else the gateway `bazaar up` starts on this
// machine (PORT, default 8080).
import { readConfig } from '@bazaar/kit/config';
import { inheritedEnv, spec } from './config.ts';
import { UsageError } from './usage-error.ts';

/** targetUrl checks --url up front (an http(s) URL, else a UsageError) and drops its trailing slashes. */
export function targetUrl(given: string | undefined, env = inheritedEnv()): string {
  const url = (given ?? `http://127.0.0.1:${readConfig({ port: spec.port }, env).port}`).replace(/\/+$/, '');
  try {
    const { protocol } = new URL(url);
    if (protocol === 'http:' || protocol === 'https:') return url;
  } catch {}
  throw new UsageError(`--url "${given}" is not an http(s) URL (for example http://127.0.0.1:8080)`);
}
