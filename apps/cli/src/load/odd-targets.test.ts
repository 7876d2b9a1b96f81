// `bazaar load` against targets that misbehave: slow, silent, not Bazaar at all, or behind a path. Each is a small
// HTTP server on port 0 that plays only the part of the gateway the case needs.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/bazaar.js', import.meta.url));
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r).closeAllConnections());
});

/** A target answering with `handler`; answers its base URL. */
async function target(handler: Handler): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/** The gateway's catalogue and sign-up, enough for the run to begin; other paths go to `rest`. */
const shop =
  (rest: Handler, prefix = ''): Handler =>
  (req, res) => {
    const path = (req.url ?? '').slice(prefix.length);
    if (!req.url?.startsWith(prefix)) return json(res, 404, { code: 'NOT_FOUND' });
    if (path.startsWith('/api/products?limit=100'))
      return json(res, 200, { items: [{ sku: 'TEA-1', available: 50 }], nextCursor: null });
    if (path === '/api/users' && req.method === 'POST') return json(res, 201, { id: 'u1' });
    if (path === '/api/auth/login') return json(res, 200, { accessToken: 't' });
    rest(req, res);
  };

/** Runs `bazaar load` with these arguments; `interruptAfterMs` sends it a Ctrl-C then. Answers how long it took. */
const load = (args: string[], interruptAfterMs?: number) => node([bin, 'load', ...args], interruptAfterMs);

/** Runs node with these arguments, killed after 40 s; answers its exit code, output and how long it took. */
function node(args: string[], interruptAfterMs?: number) {
  const started = Date.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  if (interruptAfterMs !== undefined) setTimeout(() => child.kill('SIGINT'), interruptAfterMs);
  const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  return new Promise<{ code: number | null; out: string; err: string; seconds: number }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, seconds: (Date.now() - started) / 1000 });
    }),
  );
}

it('runLoad at a rate past the bound of the command line drops what it cannot start by arithmetic, and ends on time', async () => {
  const url = await target(shop((_req, res) => json(res, 200, { items: [], nextCursor: null })));
  // In a child process: the old one-at-a-time count blocked the event loop, and would have blocked this test's too.
  const script = `
    import { parseLoadArgs } from ${JSON.stringify(fileURLToPath(new URL('./options.ts', import.meta.url)))};
    import { runLoad } from ${JSON.stringify(fileURLToPath(new URL('./runner.ts', import.meta.url)))};
    const options = parseLoadArgs(['--url', '${url}', '--mix', 'browse=1', '--customers', '1', '--duration', '1s']);
    const s = await runLoad({ ...options, rate: 1e12, maxInFlight: 5 });
    console.log(JSON.stringify(s));`;
  const run = await node(['--input-type=module', '-e', script]);
  expect(run.code, run.err).toBe(0);
  const summary = JSON.parse(run.out);
  expect(summary.total.count).toBeGreaterThan(0);
  // Every arrival of the second is either started or dropped (to one: the deadline is a float).
  expect(Math.abs(summary.dropped + summary.total.count + summary.unfinished - 1e12)).toBeLessThanOrEqual(1);
  expect(run.seconds).toBeLessThan(15);
}, 60_000);

it('actions/s counts the answers that came within the duration, not those the run waited for after it', async () => {
  const url = await target(shop((_req, res) => setTimeout(() => json(res, 200, { items: [] }), 700)));
  // Each of 3 users has one answer at 0.7 s, within the 1 s run, and one at 1.4 s, after it.
  const run = await load(`--url ${url} --users 3 --customers 1 --mix browse=1 --duration 1s --json`.split(' '));
  expect(run.code, run.err).toBe(0);
  const { total, late, ranS } = JSON.parse(run.out);
  expect(late).toBeGreaterThan(0);
  expect(total.rps).toBeCloseTo((total.count - late) / ranS, 1);
  expect(total.rps).toBeLessThan(total.count / ranS);
}, 60_000);

it('a run that ends with requests still queued prints its summary at once, not after each one times out', async () => {
  const url = await target(shop(() => {})); // browsing is never answered
  const run = await load(
    ['--url', url, '--users', '20', '--connections', '1', '--timeout', '60000', '--customers', '1'].concat([
      '--mix',
      'browse=1',
      '--duration',
      '1m',
      '--json',
    ]),
    1_500,
  );
  expect(run.code, run.err).toBe(130);
  expect(JSON.parse(run.out).unfinished).toBe(20);
  expect(run.seconds).toBeLessThan(15);
}, 60_000);

it('says how far the sign-ups before the run are, and Ctrl-C stops them at once, exit 130', async () => {
  const slowSignUps = shop(() => {});
  const url = await target((req, res) =>
    req.url === '/api/users' ? setTimeout(() => slowSignUps(req, res), 300) : slowSignUps(req, res),
  );
  const run = await load(['--url', url, '--customers', '200', '--duration', '5s'], 1_500);
  expect(run.code, run.err).toBe(130);
  expect(run.err).toContain('signing up customers: 0 of 200');
  expect(run.err).toContain('stopped before the run began');
  expect(run.seconds).toBeLessThan(5);
}, 60_000);

it('loads a gateway behind a path (--url https://host/shop), as verify does', async () => {
  const url = await target(shop((_req, res) => json(res, 200, { items: [], nextCursor: null }), '/shop'));
  const run = await load(['--url', `${url}/shop/`, '--mix', 'browse=1', '--duration', '1s', '--json', '--quiet']);
  expect(run.code, run.err).toBe(0);
  const summary = JSON.parse(run.out);
  expect(summary.total.ok).toBeGreaterThan(0);
  expect(summary.total.ok).toBe(summary.total.count);
}, 60_000);

it('a --url that is not a Bazaar gateway (a web page answers) is named as such, not as a TypeError', async () => {
  const url = await target((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hello</p>'));
  const run = await load(['--url', url, '--duration', '1s']);
  expect(run.code).toBe(1);
  expect(run.err).toContain('GET /api/products answered 200 text/html, not the catalogue: is --url a Bazaar gateway?');
  expect(run.err).not.toContain('Cannot read properties');
}, 60_000);

it('a read-only mix runs with --customers 0 and signs nobody up', async () => {
  let signUps = 0;
  const answer = shop((_req, res) => json(res, 200, { items: [], nextCursor: null }));
  const url = await target((req, res) => {
    if (req.url === '/api/users') signUps++;
    answer(req, res);
  });
  const run = await load(`--url ${url} --customers 0 --mix browse=1,search=1,view=1 --duration 1s --json`.split(' '));
  expect(run.code, run.err).toBe(0);
  expect(signUps).toBe(0);
  expect(run.err).not.toContain('signing up');
  expect(JSON.parse(run.out).total.ok).toBeGreaterThan(0);
}, 60_000);

it('orders that could not be tried (no customer signed up) are not blamed on the target as unanswered', async () => {
  const noSignUps = shop((_req, res) => json(res, 200, { items: [], nextCursor: null }));
  const url = await target((req, res) =>
    req.url === '/api/users' ? json(res, 503, { code: 'UNAVAILABLE' }) : noSignUps(req, res),
  );
  const run = await load(['--url', url, '--mix', 'browse=1,order=1', '--duration', '1s', '--json']);
  const summary = JSON.parse(run.out);
  expect(summary.errors.NO_CUSTOMER).toBeGreaterThan(0);
  expect(summary.unanswered).toBe(0);
  expect(run.err).not.toContain('got no answer at all');
  expect(run.err).toContain('no customer could sign up before the run');
  expect(run.code, run.err).toBe(0);
}, 60_000);
