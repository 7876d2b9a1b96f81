// The bazaar command's failures, as a user meets them: a line that says what is wrong and an exit code, no stack.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/bazaar.js', import.meta.url));
const bazaar = (...args: string[]) => {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: run.status, out: run.stdout, err: run.stderr };
};
const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

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

  it('names a service or database it does not know, exit 1', () => {
    for (const args of [
      ['service', 'nope'],
      ['migrate', 'nope'],
    ]) {
      const run = bazaar(...args);
      expect(run.code).toBe(1);
      expect(run.err).toMatch(/"nope"/);
      noStack(run.err);
    }
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

  it('says nothing answered, and which settings to check, when the target is down', async () => {
    const run = bazaar('verify', '--url', `http://127.0.0.1:${await closedPort()}/`);
    expect(run.code).toBe(1);
    expect(run.err).toContain('ECONNREFUSED');
    expect(run.err).toContain('Nothing answered there');
    noStack(run.err);
  });

  it('shows the help of a command given --help anywhere, and runs nothing', () => {
    for (const args of [
      ['service', 'users', '--help'],
      ['migrate', 'all', '-h'],
    ]) {
      const run = bazaar(...args);
      expect(run.code).toBe(0);
      expect(run.out).toContain(`bazaar ${args[0]}`);
    }
  });
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
