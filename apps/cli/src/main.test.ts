// The bazaar command's failures, as a user meets them: a line that says what is wrong and an exit code, no stack.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/bazaar.js', import.meta.url));
const bazaar = (...args: string[]) => {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: run.status, out: run.stdout, err: run.stderr };
};
const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

/** Runs the command without blocking this process (whose servers must keep answering), with these settings. */
function bazaarAsync(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  // 'close', not 'exit': the last of its output can still be on the way when it exits.
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, out, err })),
  );
}

const listening = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject).listen(port, '127.0.0.1', () => resolve(server));
  });
const close = (server: Server) => new Promise((r) => server.close(r));

/** A port nothing listens on: one the OS just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('the bazaar command, used wrongly', () => {
  it.each([
    [['up', '--foo'], "Unknown option '--foo'"],
    [['up', 'extra'], "Unexpected argument 'extra'"],
    [['verify', '--url'], 'argument missing'],
  ])('bazaar %j: exit 2 with what is wrong and where the usage is', (args, says) => {
    const run = bazaar(...args);
    expect(run.code).toBe(2);
    expect(run.err).toContain(says);
    expect(run.err).toContain(`"bazaar ${args[0]} --help"`);
    noStack(run.err);
  });

  it.each([
    [['service', 'nope'], '"nope"'],
    [['migrate', 'nope'], '"nope"'],
    [['service'], 'which service?'],
    [['migrate'], 'which database?'],
  ])('bazaar %j: a missing or unknown name exits 2, with the names and where the usage is', (args, says) => {
    const run = bazaar(...args);
    expect(run.code).toBe(2);
    expect(run.err).toContain(says);
    expect(run.err).toContain(`"bazaar ${args[0]} --help"`);
    expect(run.err.trim().split('\n')).toHaveLength(2);
    noStack(run.err);
  });

  it.each([
    [['migrate', 'users', '--dry-run'], "Unknown option '--dry-run'"],
    [['migrate', 'users', 'orders'], 'one name, not "users" and "orders"'],
    [['service', 'users', '--port', '9000'], "Unknown option '--port'"],
    [['version', '--bogus'], "Unknown option '--bogus'"],
  ])('bazaar %j: an option it does not know, or a second name, exits 2 rather than being ignored', (args, says) => {
    // Nothing listens at DATABASE_URL: a command that ignored the mistake and ran would fail there instead.
    const env = { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:9/postgres', INTERNAL_KEY: 'k' };
    const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000, env });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain(says);
    expect(run.stderr).toContain(`"bazaar ${args[0]} --help"`);
    noStack(run.stderr);
  });

  it.each([
    [['nope'], 'bazaar: unknown command "nope"; the commands are up, verify,'],
    [['--verbose', 'up'], 'bazaar: unknown option "--verbose": the command comes first, as in "bazaar up --verbose"'],
  ])('bazaar %j: exit 2 with a line that says what is wrong, names the commands and points to --help', (args, says) => {
    const run = bazaar(...args);
    expect(run.code).toBe(2);
    expect(run.err).toContain(says);
    expect(run.err.trim().split('\n')).toEqual([expect.any(String), 'Run "bazaar --help" for the usage.']);
    noStack(run.err);
  });

  it('refuses a --url that is not a URL before sending anything, exit 2', () => {
    const run = bazaar('verify', '--url', 'notaurl');
    expect(run.code).toBe(2);
    expect(run.err).toContain('--url "notaurl" is not an http(s) URL');
    expect(run.err).not.toContain('Failed to parse URL');
    noStack(run.err);
  });

  it('refuses to run a service without INTERNAL_KEY, which would otherwise be a key anyone can read', () => {
    for (const key of [undefined, '']) {
      const env = { ...process.env, INTERNAL_KEY: key, PORT: '0' };
      if (key === undefined) delete env.INTERNAL_KEY;
      const run = spawnSync(process.execPath, [bin, 'service', 'gateway'], { encoding: 'utf8', timeout: 30_000, env });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('INTERNAL_KEY is not set');
      noStack(run.stderr);
    }
  });

  it('refuses a cluster whose first port is not a number before it starts anything', () => {
    const env = { ...process.env, USERS_PORT: 'abc', BAZAAR_NAMESPACE: 'never_started' };
    const run = spawnSync(process.execPath, [bin, 'up', '--cluster'], { encoding: 'utf8', timeout: 30_000, env });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('USERS_PORT must be an integer, got "abc"');
    expect(run.stdout).not.toContain('Migrating');
    noStack(run.stderr);
  });

  it('blames PORT, with its value, not --url, when load has no --url and PORT is no port', () => {
    const env = { ...process.env, PORT: '99999' };
    const run = spawnSync(process.execPath, [bin, 'load'], { encoding: 'utf8', timeout: 30_000, env });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('bazaar load: PORT is "99999", not a port from 1 to 65535');
    expect(run.stderr).not.toContain('--url "');
    noStack(run.stderr);
  });

  it('says nothing answered, and which settings to check, when the target is down', async () => {
    const run = bazaar('verify', '--url', `http://127.0.0.1:${await closedPort()}/`);
    expect(run.code).toBe(1);
    expect(run.err).toContain('ECONNREFUSED');
    expect(run.err).toContain('Nothing answered there: is it running, and does --url (or PORT) point at it?');
    noStack(run.err);
  });

  it('shows the help of a command given --help anywhere, and runs nothing', () => {
    for (const args of [
      ['service', 'users', '--help'],
      ['migrate', 'all', '-h'],
      ['service', '--help'],
      ['version', '--help'],
    ]) {
      const run = bazaar(...args);
      expect(run.code).toBe(0);
      expect(run.out).toMatch(new RegExp(`^bazaar ${args[0]}\\b`));
    }
  });

  it("bazaar help <command> shows that command's help; an unknown one exits 2", () => {
    for (const command of ['up', 'verify', 'service', 'migrate', 'load', 'version']) {
      const run = bazaar('help', command);
      expect(run.code, command).toBe(0);
      expect(run.out, command).toBe(bazaar(command, '--help').out);
      expect(run.out, command).toMatch(new RegExp(`^bazaar ${command}\\b`));
    }
    expect(bazaar('help', 'nope').code).toBe(2);
  });
});

describe('the help of each command', () => {
  it('up lists each setting once', () => {
    const settings = [...bazaar('up', '--help').out.matchAll(/^ {2}([A-Z][A-Z0-9_]+) /gm)].map((m) => m[1]);
    expect(settings).toContain('HOST');
    expect(settings.filter((s, i) => settings.indexOf(s) !== i)).toEqual([]);
  });

  it('service lists what a single service reads, not how up --cluster lays several out', () => {
    const help = bazaar('service', '--help').out;
    for (const setting of ['DATABASE_URL', 'BROKER_URL', 'INTERNAL_KEY', 'BAZAAR_NAMESPACE'])
      expect(help).toMatch(new RegExp(`^ {2}${setting} `, 'm'));
    for (const clusterOnly of ['REPLICAS', 'USERS_PORT'])
      expect(help).not.toMatch(new RegExp(`^ {2}${clusterOnly} `, 'm'));
  });

  it('migrate says which server it connects to and that it creates missing databases', () => {
    const help = bazaar('migrate', '--help').out;
    expect(help).toContain('DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)');
    expect(help).toContain('creates');
  });

  it('verify and load both default to the gateway at PORT', () => {
    for (const command of ['verify', 'load'])
      expect(bazaar(command, '--help').out).toContain('http://127.0.0.1:<PORT>');
  });
});

describe('a port another process holds', () => {
  it("names the service and the setting that moves it, for inventory's gRPC port at INVENTORY_PORT + 1000", async () => {
    // A port the OS gives out, held here, and the one 1000 below it free: inventory's HTTP port for the run.
    let held: Server | undefined;
    let grpcPort = 0;
    for (let tries = 0; !held && tries < 20; tries++) {
      const server = await listening(0);
      grpcPort = (server.address() as { port: number }).port;
      const below = await listening(grpcPort - 1000).catch(() => undefined);
      if (below) {
        await close(below);
        held = server;
      } else await close(server);
    }
    if (!held) throw new Error('no free pair of ports 1000 apart');
    const dataDir = mkdtempSync(join(tmpdir(), 'bazaar-port-clash-'));
    try {
      // Every other port is 0, any free one, so that nothing else can clash.
      const run = await bazaarAsync(['up'], {
        DATA_DIR: dataDir,
        PORT: '0',
        USERS_PORT: '0',
        INVENTORY_PORT: String(grpcPort - 1000),
        ORDERS_PORT: '0',
        PAYMENTS_PORT: '0',
        SHIPPING_PORT: '0',
        JAZZCASH_SANDBOX_PORT: '0',
        EASYPAISA_SANDBOX_PORT: '0',
      });
      expect(run.code).toBe(1);
      expect(run.err).toContain(
        `port ${grpcPort} (inventory's gRPC port: INVENTORY_PORT + 1000) is in use; set INVENTORY_PORT, or stop what holds it`,
      );
      // grpc-js's own line about it goes to the log file, not into the progress line.
      expect(run.err + run.out).not.toContain('No address added');
      noStack(run.err);
    } finally {
      await close(held);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

it('bazaar --version names the release in package.json and the Node it runs on', async () => {
  const { version } = (await import('../../../package.json', { with: { type: 'json' } })).default as {
    version: string;
  };
  for (const flag of ['--version', 'version']) {
    const run = bazaar(flag);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(
      new RegExp(`^bazaar ${version.replaceAll('.', '\\.')}( \\(commit [0-9a-f]+(\\+changes)?\\))?, Node v\\d+`),
    );
  }
});

/** A Node older than the one Bazaar needs, on PATH outside node_modules (the system's), or undefined. */
function olderNode(): { path: string; version: string } | undefined {
  const candidates = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir && !dir.includes('node_modules'))
    .map((dir) => join(dir, 'node'))
    .concat('/usr/bin/node', '/usr/local/bin/node');
  for (const path of candidates.filter(existsSync)) {
    const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim().slice(1);
    const [major, minor] = version.split('.').map(Number);
    if (major < 22 || (major === 22 && minor < 19)) return { path, version };
  }
  return undefined;
}

const older = olderNode();
if (!older) console.warn('skipping: no Node older than 22.19 outside node_modules to run bin/bazaar.js with');
it.skipIf(!older)('run by an older Node, says which Node it needs and how to run it, in one line, exit 1', () => {
  const run = spawnSync(older!.path, [bin, 'version'], { encoding: 'utf8', timeout: 30_000 });
  expect(run.status).toBe(1);
  expect(run.stderr.trim()).toBe(
    `Bazaar needs Node 22.19 or newer (23.6 or newer on Node 23); this is Node ${older!.version}. Run it with npm start / npm run bazaar, which use the project's own Node 24.`,
  );
});
