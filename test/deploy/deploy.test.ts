// The deployment (deploy/, .dockerignore) checked as far as a machine with no container engine and no cluster allows:
// every kustomize overlay rendered by kubectl and validated against the Kubernetes API schemas, the hardening, probes,
// scaling and network policies of every workload, the Compose file against the Compose specification, and every
// command the image and the manifests start against the files the image holds and the commands the CLI lists.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseDocument } from 'yaml';
import { contextFiles, execForm, parseDockerfile } from './image.ts';
import { describe as name, type K8sObject, kubectlVersion, render, schemaErrors, unknownFieldErrors } from './kubernetes.ts';
import { type Endpoint, type NetworkPolicy, PolicySet, selects } from './network-policy.ts';

const repo = resolve(import.meta.dirname, '../..');
const deploy = join(repo, 'deploy');
const onCI = process.env.CI === 'true';

/** The contract: each service's port, and whom it calls (ARCHITECTURE.md, the lead's call graph). */
const ports = { gateway: 8080, users: 8081, inventory: 8082, orders: 8083, payments: 8084, shipping: 8085 } as const;
type Service = keyof typeof ports;
const serviceNames = Object.keys(ports) as Service[];
const withDatabase: Service[] = ['users', 'inventory', 'orders', 'payments', 'shipping'];
const calls: Record<Service, Service[]> = {
  gateway: ['users', 'inventory', 'orders', 'payments', 'shipping'],
  users: [],
  inventory: [],
  orders: ['inventory', 'payments', 'shipping'],
  payments: [],
  shipping: [],
};
const grpcServers: Service[] = ['inventory', 'payments']; // placeholder port 9090, called by orders
const portEnv = (s: Service) => (s === 'gateway' ? 'PORT' : `${s.toUpperCase()}_PORT`);
const hostEnv = (s: Service) => `${s.toUpperCase()}_HOST`;

// biome-ignore lint/suspicious/noExplicitAny: manifests are plain parsed YAML.
type Any = any;
const isBazaarImage = (image: string) => /(^|\/)bazaar[:@]/.test(image);

/** The subcommands `bazaar help` lists (lines like `  bazaar up [--cluster]`). */
function cliSubcommands(): Set<string> {
  const run = spawnSync(process.execPath, ['apps/cli/src/main.ts', 'help'], { cwd: repo, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`bazaar help failed (Node ${process.version}):\n${run.stderr}`);
  return new Set([...run.stdout.matchAll(/^\s+bazaar ([a-z][\w-]*)/gm)].map((m) => m[1]));
}

/** Problems with a command the image runs: `node <file in the image> <subcommand the CLI lists> [<service>]`. */
function commandProblems(where: string, command: string[], image: Set<string>, cli: Set<string>, service?: string): string[] {
  const [program, script, subcommand, argument] = command;
  const problems: string[] = [];
  if (program !== 'node') problems.push(`${where}: runs ${program}, not node`);
  if (!existsSync(join(repo, script))) problems.push(`${where}: ${script} does not exist`);
  else if (!image.has(script)) problems.push(`${where}: ${script} is left out of the image by .dockerignore`);
  if (script === 'apps/cli/src/main.ts') {
    if (!cli.has(subcommand)) problems.push(`${where}: \`bazaar ${subcommand}\` is not a command the CLI lists (${[...cli].join(', ')})`);
    if (['service', 'migrate'].includes(subcommand) && !serviceNames.includes(argument as Service))
      problems.push(`${where}: \`${subcommand} ${argument}\` names no service`);
    if (service && ['service', 'migrate'].includes(subcommand) && argument !== service)
      problems.push(`${where}: runs \`${subcommand} ${argument}\` inside ${service}'s pod`);
  }
  return problems;
}

describe('the image', () => {
  const dockerfile = parseDockerfile(readFileSync(join(deploy, 'Dockerfile'), 'utf8'));
  const stages = dockerfile.filter((i) => i.keyword === 'FROM');
  const last = stages.length - 1;
  const final = dockerfile.filter((i) => i.stage === last);
  const image = contextFiles(repo);

  it('is built in stages: npm ci from the lockfile with production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const install = dockerfile.find((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    expect(install, 'a RUN npm ci').toBeDefined();
    expect(install!.args).toMatch(/--omit=dev/);
    expect(install!.stage).toBeLessThan(last);
    expect(dockerfile.some((i) => i.stage < install!.stage + 1 && /package-lock\.json/.test(i.args))).toBe(true);
    expect(image.has('package-lock.json')).toBe(true);
  });

  it('runs as a non-root user on a small runtime with no shell, and has a health check', () => {
    expect(stages[last].args).toMatch(/distroless\/nodejs\$\{NODE_VERSION\}-debian\d+:nonroot/);
    const user = final.findLast((i) => i.keyword === 'USER')?.args;
    expect(user, 'a numeric USER, so runAsNonRoot can be verified').toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(final.some((i) => i.keyword === 'HEALTHCHECK' && /\bCMD\b/.test(i.args))).toBe(true);
    const exposed = final.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
    for (const port of Object.values(ports))
      expect(exposed.some((e) => e === String(port) || (e.includes('-') && Number(e.split('-')[0]) <= port && port <= Number(e.split('-')[1])))).toBe(true);
  });

  it('starts and checks health with files the image holds, through commands the CLI lists', () => {
    const cli = cliSubcommands();
    const entrypoint = execForm(final.find((i) => i.keyword === 'ENTRYPOINT')!.args)!;
    const healthcheck = execForm(final.find((i) => i.keyword === 'HEALTHCHECK')!.args)!;
    const problems = [
      ...commandProblems('ENTRYPOINT', [...entrypoint, 'help'], image, cli),
      ...commandProblems('HEALTHCHECK', healthcheck, image, cli),
    ];
    // The entry point hands its arguments to the CLI, which the image must hold too.
    expect(readFileSync(join(repo, entrypoint[1]), 'utf8')).toContain("import('../../apps/cli/src/main.ts')");
    problems.push(...commandProblems('entry point → CLI', ['node', 'apps/cli/src/main.ts', 'help'], image, cli));
    expect(problems).toEqual([]);
  });

  it('holds every runtime source file and migration, and no tests, secrets or local data', () => {
    const missing = [...contextFilesUnfiltered()].filter((f) => !image.has(f));
    expect(missing, 'runtime files left out by .dockerignore').toEqual([]);
    const leaked = [...image].filter((f) => /^(test|bench|data|\.git|deploy\/k8s)\/|node_modules\/|\.test\.ts$|(^|\/)\.env/.test(f));
    expect(leaked).toEqual([]);
  });

  it('needs nothing outside the production dependencies at run time', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
    const production = new Set(Object.keys(pkg.dependencies ?? {}));
    const { files, packages } = runtimeImports(['apps/cli/src/main.ts', 'deploy/docker/entrypoint.mjs', 'deploy/docker/healthcheck.mjs']);
    expect(files.has('apps/cli/src/main.ts')).toBe(true);
    const outside = [...packages].filter(([pkgName]) => !production.has(pkgName)).map(([pkgName, file]) => `${file}: ${pkgName}`);
    expect(outside, 'imported at run time but not a production dependency (npm ci --omit=dev leaves it out)').toEqual([]);
    const notInImage = [...files].filter((f) => !image.has(f));
    expect(notInImage, 'loaded at run time but left out of the image').toEqual([]);
  });

  it('picks the service by argument or by BAZAAR_SERVICE, and explains itself with neither', () => {
    const run = (args: string[], env: Record<string, string> = {}) =>
      spawnSync(process.execPath, ['deploy/docker/entrypoint.mjs', ...args], { cwd: repo, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
    const help = run(['help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage:/);
    const none = run([]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/BAZAAR_SERVICE/);
  });

  describe('health check', () => {
    let status = 200;
    let seen: IncomingHttpHeaders = {};
    const server = createServer((req, res) => {
      seen = req.headers;
      res.writeHead(req.url === '/healthz' ? status : 404).end();
    });
    let port = 0;
    beforeAll(async () => {
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((done) => server.close(() => done())));
    const check = (env: Record<string, string>) =>
      new Promise<number | null>((done) => {
        const child = spawnAsync(['deploy/docker/healthcheck.mjs'], env);
        child.on('exit', done);
      });

    it("asks the service's own port for /healthz, with the internal key", async () => {
      status = 200;
      expect(await check({ BAZAAR_SERVICE: 'orders', ORDERS_PORT: String(port), INTERNAL_KEY: 'k' })).toBe(0);
      expect(seen['x-internal-key']).toBe('k');
      expect(await check({ BAZAAR_SERVICE: 'gateway', PORT: String(port) })).toBe(0);
    });

    it('fails when the service answers anything but 200, or nothing', async () => {
      status = 503;
      expect(await check({ BAZAAR_SERVICE: 'users', USERS_PORT: String(port) })).toBe(1);
      expect(await check({ BAZAAR_SERVICE: 'users', USERS_PORT: '1' })).toBe(1);
      expect(await check({ BAZAAR_SERVICE: 'nonesuch' })).toBe(1);
    });
  });
});

/** Runtime files: non-test sources, migrations and manifests of the workspaces, and the root package files. */
function contextFilesUnfiltered(): Set<string> {
  const all = new Set<string>();
  const list = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'packages', 'services', 'apps', 'package.json', 'package-lock.json'], {
    cwd: repo,
    encoding: 'utf8',
  });
  for (const file of list.stdout.split('\n')) {
    if (!file || !existsSync(join(repo, file))) continue;
    if (/\.test\.ts$|\.md$|(^|\/)__snapshots__\//.test(file)) continue;
    all.add(file);
  }
  return all;
}

/** The files reachable from the entry points through static and dynamic imports, and the packages they import. */
function runtimeImports(entries: string[]): { files: Set<string>; packages: Map<string, string> } {
  const workspaces = new Map<string, { dir: string; exports: Record<string, string> }>();
  for (const dir of spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*/package.json'], { cwd: repo, encoding: 'utf8' }).stdout.split('\n')) {
    if (!dir || dir.includes('node_modules') || !existsSync(join(repo, dir))) continue;
    const manifest = JSON.parse(readFileSync(join(repo, dir), 'utf8'));
    const exports = typeof manifest.exports === 'string' ? { '.': manifest.exports } : (manifest.exports ?? {});
    workspaces.set(manifest.name, { dir: dir.replace(/\/package\.json$/, ''), exports });
  }
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const text = readFileSync(join(repo, file), 'utf8');
    const specifiers = [...text.matchAll(/^\s*(?:import|export)(?!\s+type\b)(?:[^'"]*?\sfrom)?\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => m[1] ?? m[2]);
    for (const specifier of specifiers) {
      if (specifier.startsWith('node:')) continue;
      if (specifier.startsWith('.')) {
        queue.push(join(file, '..', specifier).split('\\').join('/'));
        continue;
      }
      const parts = specifier.split('/');
      const pkgName = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
      const workspace = workspaces.get(pkgName);
      if (!workspace) {
        if (!packages.has(pkgName)) packages.set(pkgName, file);
        continue;
      }
      const subpath = `.${specifier.slice(pkgName.length)}`;
      const target = workspace.exports[subpath];
      if (!target) throw new Error(`${file}: ${specifier} is not exported by ${pkgName}`);
      queue.push(join(workspace.dir, target).split('\\').join('/'));
    }
  }
  return { files, packages };
}

/** Not spawnSync: the fake service answering the health check runs in this process. */
function spawnAsync(args: string[], env: Record<string, string>) {
  return spawn(process.execPath, args, { cwd: repo, env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
}
