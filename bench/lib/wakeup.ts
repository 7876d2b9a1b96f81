// The wake-up check: what one trivial HTTP request costs a Node server that is kept busy, and what the same request
// costs when it arrives after the server slept. On a quiet bare-metal machine the two are close; on a virtual
// machine whose idle CPUs halt, every wake-up pays for the exit and for caches left cold. The Bazaar cluster wakes its
// processes and backends hundreds of times per order (`wake-ups per order` in the orders section), so this ratio, not
// the SHA-256 speed, is what moves its CPU per order between hosts.
import { type ChildProcess, fork } from 'node:child_process';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export type WakeupCost = {
  /** Server CPU per request, µs, for requests sent back to back on one keep-alive connection. */
  hotUs: number;
  /** Server CPU per request, µs, for requests sent one every `gapMs`, the server idle in between. */
  afterIdleUs: number;
  gapMs: number;
};

const HOT_REQUESTS = 400;
const IDLE_REQUESTS = 40;
const GAP_MS = 25;

/** Measures the wake-up cost with a child Node process as the server (its own CPU clock, µs). */
export async function wakeupCost(): Promise<WakeupCost> {
  const child = fork(new URL(import.meta.url).pathname, ['--serve'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m) => resolve(m as number));
      child.once('exit', (code) => reject(new Error(`the wake-up server exited (${code})`)));
    });
    const client = keepAliveClient(port);
    for (let i = 0; i < 100; i++) await client.get('/'); // warm-up: the server's code compiled and optimised
    const hot = await serverCpuPer(client, HOT_REQUESTS, 0);
    const afterIdle = await serverCpuPer(client, IDLE_REQUESTS, GAP_MS);
    client.close();
    return { hotUs: Math.round(hot), afterIdleUs: Math.round(afterIdle), gapMs: GAP_MS };
  } finally {
    stop(child);
  }
}

async function serverCpuPer(client: ReturnType<typeof keepAliveClient>, n: number, gapMs: number): Promise<number> {
  const before = Number(await client.get('/cpu'));
  for (let i = 0; i < n; i++) {
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    await client.get('/');
  }
  if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
  return (Number(await client.get('/cpu')) - before) / n;
}

/** Sequential GETs on one keep-alive connection. */
function keepAliveClient(port: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    get: (path: string) =>
      new Promise<string>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
          let body = '';
          res.setEncoding('latin1');
          res.on('data', (c: string) => {
            body += c;
          });
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        req.end();
      }),
    close: () => agent.destroy(),
  };
}

function stop(child: ChildProcess): void {
  if (child.exitCode === null) child.kill();
}

/** The server side: `/` answers a small JSON body; `/cpu` answers this process's CPU time so far, µs. */
function serve(): void {
  const body = JSON.stringify({ ok: true, at: 'wake-up check' });
  const server = createServer((req, res) => {
    if (req.url === '/cpu') {
      const { user, system } = process.cpuUsage();
      res.end(String(user + system));
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as AddressInfo).port));
  process.on('disconnect', () => process.exit(0));
}

if (process.argv.includes('--serve')) serve();
