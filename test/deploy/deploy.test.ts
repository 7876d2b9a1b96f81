// The deployment (deploy/, .dockerignore) checked as far as a machine with no container engine and no cluster allows:
// every kustomize overlay rendered by kubectl and validated against the Kubernetes API schemas, the hardening, probes,
// scaling and network policies of every workload, the Compose file against the Compose specification, and every
// command the image and the manifests start against the files the image holds and the commands the CLI lists.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument, parse as parseYaml } from 'yaml';
import { contextFiles, execForm, parseDockerfile } from './image.ts';
import {
  type K8sObject,
  kubectlVersion,
  objectName as name,
  render,
  schemaErrors,
  unknownFieldErrors,
} from './kubernetes.ts';
import { type Endpoint, type NetworkPolicy, PolicySet, selects } from './network-policy.ts';

const repo = resolve(import.meta.dirname, '../..');
const deploy = join(repo, 'deploy');
const onCI = process.env.CI === 'true';

/** The contract: each service's port, and whom it calls (the call graph the network policies allow, and no more). */
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
const grpcServers: Service[] = ['inventory', 'payments']; // gRPC on port 9090, called by orders
const portEnv = (s: Service) => (s === 'gateway' ? 'PORT' : `${s.toUpperCase()}_PORT`);
const hostEnv = (s: Service) => `${s.toUpperCase()}_HOST`;

/** Manifests and Compose files are plain parsed YAML, checked field by field. */
type Any = any;
const isBazaarImage = (image: string) => /(^|\/)bazaar[:@]/.test(image);

/** What the CLI offers: each subcommand `bazaar help` lists (`  bazaar up [--cluster]`), with the names its own
 * help lists where it takes one (`Names: users, inventory, … or all.`). */
type Cli = Map<string, Set<string> | undefined>;
function cli(): Cli {
  const help = (...args: string[]) => {
    const run = spawnSync(process.execPath, ['apps/cli/src/main.ts', ...args], { cwd: repo, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`bazaar ${args.join(' ')} failed (Node ${process.version}):\n${run.stderr}`);
    return run.stdout;
  };
  const commands: Cli = new Map();
  for (const [, command] of help('help').matchAll(/^\s+bazaar ([a-z][\w-]*)/gm)) {
    const names = command === 'help' ? undefined : /^Names: ([^(\n]*)/m.exec(help(command, '--help'))?.[1];
    commands.set(
      command,
      names === undefined
        ? undefined
        : new Set(names.split(/,\s*(?:or\s+)?|\s+or\s+/).map((n) => n.replace(/\.$/, '').trim())),
    );
  }
  return commands;
}

/** Problems with a command the image runs: `node <file in the image> <subcommand the CLI lists> [<name it lists>]`. */
function commandProblems(
  where: string,
  command: string[],
  image: Set<string>,
  commands: Cli,
  service?: string,
): string[] {
  const [program, script, subcommand, argument] = command;
  const problems: string[] = [];
  if (program !== 'node') problems.push(`${where}: runs ${program}, not node`);
  if (!existsSync(join(repo, script))) problems.push(`${where}: ${script} does not exist`);
  else if (!image.has(script)) problems.push(`${where}: ${script} is left out of the image by .dockerignore`);
  if (script === 'apps/cli/src/main.ts') {
    if (!commands.has(subcommand))
      problems.push(
        `${where}: \`bazaar ${subcommand}\` is not a command the CLI lists (${[...commands.keys()].join(', ')})`,
      );
    const names = commands.get(subcommand);
    if (names && !names.has(argument))
      problems.push(
        `${where}: \`bazaar ${subcommand} ${argument}\` is not one of the names it lists (${[...names].join(', ')})`,
      );
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
    const install = dockerfile.find(
      (i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args) && /--omit=dev/.test(i.args),
    );
    expect(install, 'a RUN npm ci --omit=dev').toBeDefined();
    // A stage with the dev dependencies (building the web apps) may exist, but the runtime takes only built files from it.
    for (const copy of dockerfile.filter((i) => i.keyword === 'COPY' && /--from=web\b/.test(i.args)))
      expect(copy.args).toMatch(/\/dist\s/);
    expect(install!.stage).toBeLessThan(last);
    expect(dockerfile.some((i) => i.stage < install!.stage + 1 && /package-lock\.json/.test(i.args))).toBe(true);
    expect(image.has('package-lock.json')).toBe(true);
  });

  it('builds the web apps in a stage that has their sources and the web-kit they share', () => {
    const build = dockerfile.find((i) => i.keyword === 'RUN' && /\bnpm run build:apps\b/.test(i.args));
    expect(build, 'a RUN npm run build:apps').toBeDefined();
    const before = dockerfile.slice(0, dockerfile.indexOf(build!));
    const copied = before
      .filter((i) => i.stage === build!.stage && i.keyword === 'COPY' && !/--from=/.test(i.args))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const app of ['apps/storefront', 'apps/console', 'apps/web-kit']) {
      expect(copied.includes('.') || copied.includes(app), `${app} copied before the build`).toBe(true);
      expect(image.has(`${app}/package.json`), `${app} in the build context`).toBe(true);
    }
  });

  it('runs as a non-root user on a small runtime with no shell, and has a health check', () => {
    expect(stages[last].args).toMatch(/distroless\/nodejs\$\{NODE_VERSION\}-debian\d+:nonroot/);
    const user = final.findLast((i) => i.keyword === 'USER')?.args;
    expect(user, 'a numeric USER, so runAsNonRoot can be verified').toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(final.some((i) => i.keyword === 'HEALTHCHECK' && /\bCMD\b/.test(i.args))).toBe(true);
    const exposed = final.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
    for (const port of Object.values(ports))
      expect(
        exposed.some(
          (e) =>
            e === String(port) ||
            (e.includes('-') && Number(e.split('-')[0]) <= port && port <= Number(e.split('-')[1])),
        ),
      ).toBe(true);
  });

  it('starts and checks health with files the image holds, through commands the CLI lists', () => {
    const commands = cli();
    const entrypoint = execForm(final.find((i) => i.keyword === 'ENTRYPOINT')!.args)!;
    const healthcheck = execForm(final.find((i) => i.keyword === 'HEALTHCHECK')!.args)!;
    const problems = [
      ...commandProblems('ENTRYPOINT', [...entrypoint, 'help'], image, commands),
      ...commandProblems('HEALTHCHECK', healthcheck, image, commands),
    ];
    // The entry point hands its arguments to the CLI, which the image must hold too.
    expect(readFileSync(join(repo, entrypoint[1]), 'utf8')).toContain("import('../../apps/cli/src/main.ts')");
    problems.push(...commandProblems('entry point → CLI', ['node', 'apps/cli/src/main.ts', 'help'], image, commands));
    expect(problems).toEqual([]);
  });

  it('holds every runtime source file and migration, and no tests, secrets or local data', () => {
    const missing = [...contextFilesUnfiltered()].filter((f) => !image.has(f));
    expect(missing, 'runtime files left out by .dockerignore').toEqual([]);
    const leaked = [...image].filter((f) =>
      /^(test|bench|data|\.git|deploy\/k8s)\/|node_modules\/|\.test\.ts$|(^|\/)\.env/.test(f),
    );
    expect(leaked).toEqual([]);
  });

  it('needs nothing outside the production dependencies at run time', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
    const production = new Set(Object.keys(pkg.dependencies ?? {}));
    const { files, packages } = runtimeImports([
      'apps/cli/src/main.ts',
      'deploy/docker/entrypoint.mjs',
      'deploy/docker/healthcheck.mjs',
    ]);
    expect(files.has('apps/cli/src/main.ts')).toBe(true);
    const outside = [...packages]
      .filter(([pkgName]) => !production.has(pkgName))
      .map(([pkgName, file]) => `${file}: ${pkgName}`);
    expect(outside, 'imported at run time but not a production dependency (npm ci --omit=dev leaves it out)').toEqual(
      [],
    );
    const notInImage = [...files].filter((f) => !image.has(f));
    expect(notInImage, 'loaded at run time but left out of the image').toEqual([]);
  });

  // The build stage without a container engine: the filtered context and `npm ci --omit=dev` into a scratch folder,
  // then every command the image and the manifests start, loaded from there.
  it('builds like the Dockerfile, and every command it starts loads from the production dependencies alone', () => {
    const built = mkdtempSync(join(tmpdir(), 'bazaar-image-'));
    try {
      const copy = (files: string[]) => {
        for (const file of files) {
          mkdirSync(join(built, file, '..'), { recursive: true });
          copyFileSync(join(repo, file), join(built, file));
        }
      };
      // As the Dockerfile: the package manifests and the lockfile, `npm ci`, then the sources.
      copy([...image].filter((f) => /(^|\/)package\.json$|^package-lock\.json$/.test(f)));
      const install = spawnSync(
        'npm',
        ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
        { cwd: built, encoding: 'utf8', timeout: 240_000 },
      );
      expect(install.status, `npm ci --omit=dev failed:\n${install.stderr}`).toBe(0);
      copy([...image]);
      for (const dev of ['vitest', 'typescript', 'kubernetes-models'])
        expect(existsSync(join(built, 'node_modules', dev)), dev).toBe(false);
      const node = (...args: string[]) =>
        spawnSync(process.execPath, args, { cwd: built, encoding: 'utf8', timeout: 60_000 });
      const help = node('deploy/docker/entrypoint.mjs', 'help');
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toMatch(/bazaar service/);
      // What `service <name>` and `migrate <name>` load, for every service (they import the service's code lazily).
      const modules = [
        'apps/cli/src/service.ts',
        'apps/cli/src/migrate.ts',
        ...serviceNames.map((s) => `@bazaar/${s}`),
      ];
      const load = node(
        '--input-type=module',
        '-e',
        modules.map((m) => `await import(${JSON.stringify(m.startsWith('@') ? m : `./${m}`)});`).join('\n'),
      );
      expect(load.status, `loading ${modules.join(', ')} from the built output:\n${load.stderr}`).toBe(0);
    } finally {
      rmSync(built, { recursive: true, force: true });
    }
  }, 300_000);

  it('picks the service by argument or by BAZAAR_SERVICE, and explains itself with neither', () => {
    const run = (args: string[], env: Record<string, string> = {}) =>
      spawnSync(process.execPath, ['deploy/docker/entrypoint.mjs', ...args], {
        cwd: repo,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', ...env },
      });
    const help = run(['help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage:/);
    const none = run([]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/BAZAAR_SERVICE/);
    const byEnvironment = run([], { BAZAAR_SERVICE: 'nonesuch' });
    expect(byEnvironment.status).not.toBe(0);
    expect(byEnvironment.stderr, 'BAZAAR_SERVICE=nonesuch runs `service nonesuch`').toMatch(
      /unknown service "nonesuch"/,
    );
  });

  describe('health check', () => {
    let status = 200;
    let asked = '';
    const server = createServer((req, res) => {
      asked = req.url ?? '';
      res.writeHead(req.url === '/healthz' ? status : 404).end();
    });
    const other = createNetServer((socket) => socket.end());
    let port = 0;
    let otherPort = 0;
    beforeAll(async () => {
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      await new Promise<void>((done) => other.listen(0, '127.0.0.1', done));
      port = (server.address() as AddressInfo).port;
      otherPort = (other.address() as AddressInfo).port;
    });
    afterAll(async () => {
      await new Promise((done) => server.close(done));
      await new Promise((done) => other.close(done));
    });
    const check = (env: Record<string, string>) =>
      new Promise<number | null>((done) => spawnAsync(['deploy/docker/healthcheck.mjs'], env).on('exit', done));

    it("asks the service's own port for /healthz", async () => {
      status = 200;
      expect(await check({ BAZAAR_SERVICE: 'orders', ORDERS_PORT: String(port) })).toBe(0);
      expect(asked).toBe('/healthz');
      expect(await check({ BAZAAR_SERVICE: 'gateway', PORT: String(port) })).toBe(0);
    });

    it('fails when the service answers anything but 200, or nothing', async () => {
      status = 503;
      expect(await check({ BAZAAR_SERVICE: 'users', USERS_PORT: String(port) })).toBe(1);
      expect(await check({ BAZAAR_SERVICE: 'users', USERS_PORT: '1' })).toBe(1);
      expect(await check({ BAZAAR_SERVICE: 'toString' })).toBe(1);
    });

    it('checks that both payment sandboxes accept connections', async () => {
      const sandboxes = { BAZAAR_SERVICE: 'sandboxes', JAZZCASH_SANDBOX_PORT: String(port) };
      expect(await check({ ...sandboxes, EASYPAISA_SANDBOX_PORT: String(otherPort) })).toBe(0);
      expect(await check({ ...sandboxes, EASYPAISA_SANDBOX_PORT: '1' })).toBe(1);
    });
  });
});

const kubectl = kubectlVersion();
const k8sSkipReason =
  "kubectl is not installed, so the kustomize overlays cannot be rendered (this project's CI machine image has it)";
if (!kubectl && !onCI) console.warn(`skipping the Kubernetes checks: ${k8sSkipReason}`);

describe('kubectl', () => {
  it.runIf(onCI)('is installed where CI runs', () => {
    expect(kubectl, k8sSkipReason).toBeDefined();
  });
});

describe.skipIf(!kubectl)('Kubernetes manifests', () => {
  const overlays = ['local', 'prod'] as const;
  let rendered: Record<'base' | (typeof overlays)[number], K8sObject[]>;
  let commands: Cli;
  let image: Set<string>;
  beforeAll(() => {
    rendered = {
      base: render(join(deploy, 'k8s/base')),
      local: render(join(deploy, 'k8s/overlays/local')),
      prod: render(join(deploy, 'k8s/overlays/prod')),
    };
    commands = cli();
    image = contextFiles(repo);
  });

  it('render, and every object passes the Kubernetes API schema of its kind', async () => {
    for (const objects of Object.values(rendered)) expect(objects.length).toBeGreaterThan(30);
    // kubernetes-models also carries old API versions; only the current, GA ones may be used.
    const current = ['v1', 'apps/v1', 'batch/v1', 'autoscaling/v2', 'policy/v1', 'networking.k8s.io/v1'];
    const outdated = Object.values(rendered)
      .flat()
      .filter((o) => !current.includes(o.apiVersion))
      .map((o) => `${name(o)}: ${o.apiVersion}`);
    expect(outdated).toEqual([]);
    const errors = await Promise.all(
      Object.entries(rendered).map(async ([overlay, objects]) =>
        (await schemaErrors(objects)).map((e) => `${overlay}: ${e}`),
      ),
    );
    expect(errors.flat()).toEqual([]);
  });

  it('carry no field the Kubernetes API does not define', () => {
    expect(unknownFieldErrors([...rendered.local, ...rendered.prod], repo)).toEqual([]);
  }, 60_000);

  it('set only variables that a service reads', () => {
    const read = settingsRead();
    const set = new Set<string>();
    for (const objects of [rendered.local, rendered.prod]) {
      for (const o of objects.filter((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('bazaar-config')))
        for (const key of Object.keys(o.data)) set.add(key);
      for (const { spec } of workloads(objects))
        for (const c of [...(spec.initContainers ?? []), ...spec.containers])
          if (isBazaarImage(c.image)) for (const v of envNames(c)) set.add(v);
    }
    expect([...set].filter((v) => !read.has(v)).sort()).toEqual([]);
  });

  for (const overlay of overlays) {
    describe(`overlay ${overlay}`, () => {
      const objects = () => rendered[overlay];
      const find = (kind: string, objectName: string) =>
        objects().find((o) => o.kind === kind && o.metadata.name === objectName);
      const pods = () => workloads(objects());
      const serviceDeployment = (s: Service) => find('Deployment', s)!;
      const mainContainer = (s: Service) =>
        serviceDeployment(s).spec.template.spec.containers.find((c: Any) => c.name === 'service');

      it('puts everything in the bazaar namespace, which enforces the restricted pod security profile', () => {
        const ns = find('Namespace', 'bazaar')!;
        expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
        expect(
          objects()
            .filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== 'bazaar')
            .map(name),
        ).toEqual([]);
      });

      it('hardens every workload: non-root, read-only root, no privileges or capabilities, seccomp, limits', () => {
        expect(pods().flatMap(hardeningProblems)).toEqual([]);
      });

      it('gives every long-running container startup, liveness and readiness probes on a port it declares', () => {
        expect(pods().flatMap(probeProblems)).toEqual([]);
      });

      it('runs each service as a Deployment with a Service, a ServiceAccount, an autoscaler and a disruption budget', () => {
        for (const s of serviceNames) {
          const deployment = serviceDeployment(s);
          expect(deployment, `Deployment ${s}`).toBeDefined();
          expect(deployment.spec.replicas, 'no fixed replicas: the autoscaler owns the count').toBeUndefined();
          const podLabels = deployment.spec.template.metadata.labels;
          expect(deployment.spec.template.spec.serviceAccountName).toBe(s);
          expect(find('ServiceAccount', s)?.automountServiceAccountToken).toBe(false);
          const svc = find('Service', s)!;
          expect(selects({ matchLabels: svc.spec.selector }, podLabels)).toBe(true);
          expect(svc.spec.ports.find((p: Any) => p.name === 'http')?.port).toBe(ports[s]);
          const hpa = find('HorizontalPodAutoscaler', s)!;
          expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: s });
          expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(['orders', 'inventory'].includes(s) ? 2 : 1);
          expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
          const pdb = find('PodDisruptionBudget', s)!;
          expect(selects(pdb.spec.selector, podLabels)).toBe(true);
          expect(pdb.spec.maxUnavailable ?? 0).toBeGreaterThanOrEqual(1);
        }
        for (const s of grpcServers) {
          const grpc = find('Service', s)!.spec.ports.find((p: Any) => p.name === 'grpc');
          expect(grpc?.port, `${s}: the gRPC placeholder port`).toBe(9090);
        }
      });

      it.runIf(overlay === 'prod')('runs every service with at least two replicas', () => {
        for (const s of serviceNames)
          expect(find('HorizontalPodAutoscaler', s)!.spec.minReplicas).toBeGreaterThanOrEqual(2);
      });

      it('migrates each database in an init container, so a new version takes traffic only once migrated', () => {
        for (const s of withDatabase) {
          const pod = serviceDeployment(s).spec.template.spec;
          const migrate = (pod.initContainers ?? []).find((c: Any) => c.command?.includes('migrate'));
          expect(migrate?.command, `${s}: an init container running migrate`).toEqual([
            'node',
            'apps/cli/src/main.ts',
            'migrate',
            s,
          ]);
          expect(migrate.image).toBe(mainContainer(s).image);
          expect(envNames(migrate)).toContain('DATABASE_URL');
        }
        expect(serviceDeployment('gateway').spec.template.spec.initContainers ?? []).toEqual([]);
      });

      it('starts only commands the image holds and the CLI lists', () => {
        const problems = pods().flatMap(({ owner, spec }) =>
          [...(spec.initContainers ?? []), ...spec.containers]
            .filter((c: Any) => isBazaarImage(c.image))
            .flatMap((c: Any) =>
              c.command
                ? commandProblems(
                    `${name(owner)}/${c.name}`,
                    c.command,
                    image,
                    commands,
                    owner.kind === 'Deployment' && serviceNames.includes(owner.metadata.name as Service)
                      ? owner.metadata.name
                      : undefined,
                  )
                : [`${name(owner)}/${c.name}: relies on the image's entry point instead of an explicit command`],
            ),
        );
        for (const s of serviceNames)
          expect(mainContainer(s).command).toEqual(['node', 'apps/cli/src/main.ts', 'service', s]);
        expect(problems).toEqual([]);
      });

      it("gives each service the contract's settings, secrets only from Secrets", () => {
        const config = objects().find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('bazaar-config'))!;
        for (const key of [
          'JWT_ISSUER',
          'JWT_AUDIENCE',
          'RATE_LIMIT_RPS',
          'COURIER_STEP_MS',
          'OTEL_EXPORTER_OTLP_ENDPOINT',
          'JAZZCASH_URL',
          'EASYPAISA_URL',
        ])
          expect(config.data, key).toHaveProperty(key);
        const secretLooking = /PASSWORD|SECRET|SALT|TOKEN|INTERNAL_KEY|HASH_KEY|^(DATABASE|BROKER|REDIS)_URL$/;
        expect(Object.keys(config.data).filter((k) => secretLooking.test(k))).toEqual([]);
        for (const s of serviceNames.filter((x) => x !== 'gateway')) {
          const upstream = `${s.toUpperCase()}_URL`;
          expect(config.data[upstream], upstream).toBe(`http://${s}:${ports[s]}`);
        }
        if (overlay === 'prod') expect(config.data.INVENTORY_SEED).toBe('false');
        for (const s of serviceNames) {
          const c = mainContainer(s);
          expect(c.envFrom).toEqual([{ configMapRef: { name: config.metadata.name } }]);
          const env = Object.fromEntries(c.env.map((e: Any) => [e.name, e]));
          expect(env[portEnv(s)]?.value, portEnv(s)).toBe(String(ports[s]));
          expect(c.ports.find((p: Any) => p.name === 'http').containerPort).toBe(ports[s]);
          expect(env[s === 'gateway' ? 'GATEWAY_HOST' : hostEnv(s)]?.value).toBe('0.0.0.0');
          const secrets: Record<string, string> = { INTERNAL_KEY: 'bazaar-secrets' };
          if (withDatabase.includes(s))
            Object.assign(secrets, { DATABASE_URL: 'bazaar-database', BROKER_URL: 'bazaar-secrets' });
          if (s === 'gateway') secrets.REDIS_URL = 'bazaar-secrets';
          if (s === 'users')
            Object.assign(secrets, { BAZAAR_ADMIN_EMAIL: 'bazaar-secrets', BAZAAR_ADMIN_PASSWORD: 'bazaar-secrets' });
          if (s === 'payments')
            for (const k of [
              'JAZZCASH_MERCHANT_ID',
              'JAZZCASH_PASSWORD',
              'JAZZCASH_INTEGRITY_SALT',
              'EASYPAISA_STORE_ID',
              'EASYPAISA_USERNAME',
              'EASYPAISA_PASSWORD',
              'EASYPAISA_HASH_KEY',
            ])
              secrets[k] = 'bazaar-payments';
          for (const [variable, secret] of Object.entries(secrets)) {
            const ref = env[variable]?.valueFrom?.secretKeyRef;
            expect(ref?.name, `${s}: ${variable} from Secret ${secret}`).toMatch(
              new RegExp(`^${secret}(-[a-z0-9]{10})?$`),
            );
            expect(ref.optional ?? false, `${s}: ${variable} is required`).toBe(false);
          }
          if (withDatabase.includes(s)) expect(env.DATABASE_URL.valueFrom.secretKeyRef.key).toBe(s);
          const fromSecrets = c.env.filter((e: Any) => e.valueFrom?.secretKeyRef).map((e: Any) => e.name);
          expect(
            fromSecrets.filter((n: string) => !(n in secrets) && n !== 'JAZZCASH_MPIN'),
            `${s} reads only its own secrets`,
          ).toEqual([]);
        }
      });

      it('has every Secret and ConfigMap a pod reads, with the keys it reads', () => {
        const examples = overlay === 'prod' ? secretExamples() : new Map<string, Set<string>>();
        const problems: string[] = [];
        for (const { owner, spec } of pods())
          for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
            for (const ref of configReferences(c, spec)) {
              const where = `${name(owner)}/${c.name}: ${ref.kind} ${ref.name}${ref.key ? ` key ${ref.key}` : ''}`;
              const found = find(ref.kind, ref.name);
              if (found) {
                if (ref.key && !(ref.key in { ...found.data, ...found.stringData }) && !ref.optional)
                  problems.push(`${where} is missing`);
              } else if (examples.has(ref.name)) {
                if (ref.key && !examples.get(ref.name)!.has(ref.key) && !ref.optional)
                  problems.push(`${where} is not in secrets/*.env.example`);
              } else if (!ref.optional) problems.push(`${where} does not exist`);
            }
          }
        expect(problems).toEqual([]);
      });

      it('lets each service reach only what it calls, and be reached only by its callers (network policies)', () => {
        const policies = new PolicySet(
          objects().filter((o) => o.kind === 'NetworkPolicy') as unknown as NetworkPolicy[],
        );
        const namespaceLabels = {
          ...find('Namespace', 'bazaar')!.metadata.labels,
          'kubernetes.io/metadata.name': 'bazaar',
        };
        const endpoints = new Map<string, Endpoint>(
          pods().map(({ owner, spec, labels }) => [
            owner.metadata.name,
            {
              kind: 'pod',
              name: owner.metadata.name,
              namespace: 'bazaar',
              namespaceLabels,
              labels,
              ports: spec.containers.flatMap((c: Any) => c.ports ?? []),
            },
          ]),
        );
        const outside = (namespace: string, labels: Record<string, string>): Endpoint => ({
          kind: 'pod',
          name: `${namespace}/${Object.values(labels)[0]}`,
          namespace,
          namespaceLabels: { 'kubernetes.io/metadata.name': namespace },
          labels,
          ports: [],
        });
        const ingressController = outside('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' });
        const prometheus = outside('monitoring', { 'app.kubernetes.io/name': 'prometheus' });
        const dns = outside('kube-system', { 'k8s-app': 'kube-dns' });
        const stranger = outside('default', { app: 'something-else' });
        const internet: Endpoint = { kind: 'ip', name: 'a public address', ip: '203.0.113.10' };
        const metadata: Endpoint = { kind: 'ip', name: 'the cloud metadata endpoint', ip: '169.254.169.254' };
        const at = (n: string) => {
          const e = endpoints.get(n);
          if (!e) throw new Error(`no pod ${n} in ${overlay}`);
          return e;
        };

        const wrong: string[] = [];
        const expectFlow = (from: Endpoint, to: Endpoint, port: number, allowed: boolean, protocol = 'TCP') => {
          if (policies.allows(from, to, port, protocol) !== allowed)
            wrong.push(`${from.name} -> ${to.name}:${port}/${protocol} should be ${allowed ? 'allowed' : 'denied'}`);
        };
        for (const from of serviceNames)
          for (const to of serviceNames) {
            if (from === to) continue;
            expectFlow(at(from), at(to), ports[to], calls[from].includes(to));
            if (grpcServers.includes(to)) expectFlow(at(from), at(to), 9090, from === 'orders');
          }
        for (const s of serviceNames) {
          expectFlow(ingressController, at(s), ports[s], s === 'gateway');
          expectFlow(stranger, at(s), ports[s], false);
          expectFlow(prometheus, at(s), ports[s], true);
          expectFlow(at(s), dns, 53, true, 'UDP');
          expectFlow(at(s), internet, 443, s === 'payments');
          expectFlow(at(s), metadata, 80, false);
          expectFlow(at(s), stranger, 8080, false);
        }
        if (overlay === 'local') {
          for (const s of serviceNames) {
            expectFlow(at(s), at('postgresql'), 5432, withDatabase.includes(s));
            expectFlow(at(s), at('rabbitmq'), 5672, withDatabase.includes(s));
            expectFlow(at(s), at('redis'), 6379, s === 'gateway');
            expectFlow(at(s), at('jaeger'), 4318, true);
            expectFlow(at(s), at('payment-sandboxes'), 8091, s === 'payments');
            expectFlow(at('postgresql'), at(s), ports[s], false);
          }
          expectFlow(stranger, at('postgresql'), 5432, false);
        } else {
          const inside = (policy: string): Endpoint => {
            const cidr: string = find('NetworkPolicy', policy)!.spec.egress[0].to[0].ipBlock.cidr;
            return { kind: 'ip', name: policy, ip: cidr.replace(/\.0\/\d+$/, '.10') };
          };
          const collector = outside('observability', { 'app.kubernetes.io/name': 'opentelemetry-collector' });
          for (const s of serviceNames) {
            expectFlow(at(s), inside('egress-postgresql'), 5432, withDatabase.includes(s));
            expectFlow(at(s), inside('egress-broker'), 5671, withDatabase.includes(s));
            expectFlow(at(s), inside('egress-redis'), 6380, s === 'gateway');
            expectFlow(at(s), collector, 4318, true);
          }
        }
        expect(wrong).toEqual([]);
      });

      it('exposes only the gateway, through the Ingress', () => {
        const ingresses = objects().filter((o) => o.kind === 'Ingress');
        expect(ingresses.map(name)).toEqual(['Ingress/gateway']);
        const backend = ingresses[0].spec.rules[0].http.paths[0].backend.service;
        expect(backend).toEqual({ name: 'gateway', port: { name: 'http' } });
        expect(
          objects()
            .filter((o) => o.kind === 'Service' && o.spec.type && o.spec.type !== 'ClusterIP')
            .map(name),
        ).toEqual([]);
        if (overlay === 'prod') expect(ingresses[0].spec.tls?.[0]?.hosts).toContain(ingresses[0].spec.rules[0].host);
      });

      it('pins every image to a version', () => {
        const images = pods().flatMap(({ spec }) =>
          [...(spec.initContainers ?? []), ...spec.containers].map((c: Any) => c.image as string),
        );
        expect(images.filter((i) => !/[:@]/.test(i.split('/').pop()!) || /:latest$/.test(i))).toEqual([]);
      });
    });
  }
});

describe('what the manifests ask of every service', () => {
  // The kubelet's probes and Prometheus call these without the platform's internal key, which only the gateway holds.
  it('answers /healthz, /readyz and /metrics without the internal key', async () => {
    const { serviceDefaults } = await import('@bazaar/kit/service');
    const { InProcessBroker } = await import('@bazaar/kit/messaging');
    const kit = await serviceDefaults(
      'probe-check',
      {
        broker: new InProcessBroker(),
        internalKey: 'only-the-gateway-knows',
        dataRoot: 'memory://',
        logLevel: 'silent',
      },
      { migrations: new URL('../../services/inventory/migrations/', import.meta.url) },
    );
    try {
      const answers = await Promise.all(
        ['/healthz', '/readyz', '/metrics'].map(async (url) => `${url} ${(await kit.app.inject({ url })).statusCode}`),
      );
      expect(answers).toEqual(['/healthz 200', '/readyz 200', '/metrics 200']);
      expect((await kit.app.inject({ url: '/openapi.json' })).statusCode, 'everything else still needs the key').toBe(
        401,
      );
    } finally {
      await kit.stop();
    }
  });
});

describe('Docker Compose', () => {
  const text = readFileSync(join(deploy, 'compose.yaml'), 'utf8');
  // Compose resolves YAML anchors and merge keys (<<) before it validates; so do we.
  const compose = parseDocument(text, { merge: true }).toJS();
  const bazaarServices = () =>
    Object.entries(compose.services as Record<string, Any>).filter(([, s]) => isBazaarImage(s.image ?? ''));

  it('is valid against the Compose specification schema', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(composeSchema());
    const valid = validate(compose);
    expect(
      valid ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`),
    ).toEqual([]);
  });

  it('runs every Bazaar container from the one image, hardened, with a command the image holds and the CLI lists', () => {
    const commands = cli();
    const image = contextFiles(repo);
    const dockerfile = parseDockerfile(readFileSync(join(deploy, 'Dockerfile'), 'utf8'));
    const entrypoint = execForm(dockerfile.findLast((i) => i.keyword === 'ENTRYPOINT')!.args)!;
    const problems: string[] = [];
    for (const [service, s] of bazaarServices()) {
      expect(s.build, `${service}: built from deploy/Dockerfile`).toEqual({
        context: '..',
        dockerfile: 'deploy/Dockerfile',
      });
      expect(s.read_only, `${service}: read-only root`).toBe(true);
      expect(s.cap_drop).toEqual(['ALL']);
      expect(s.security_opt).toContain('no-new-privileges:true');
      expect(s.user ?? 'the image user').not.toMatch(/^(0|root)(:|$)/);
      // The entry point hands its arguments to the CLI: `node deploy/docker/entrypoint.mjs service users`.
      problems.push(...commandProblems(`compose ${service}`, [...entrypoint, ...s.command], image, commands));
      problems.push(
        ...commandProblems(
          `compose ${service} → CLI`,
          ['node', 'apps/cli/src/main.ts', ...s.command],
          image,
          commands,
          serviceNames.includes(service as Service) ? service : undefined,
        ),
      );
    }
    expect(bazaarServices().map(([n]) => n)).toEqual(expect.arrayContaining(serviceNames));
    expect(problems).toEqual([]);
  });

  it('wires the services with the same variables as the Kubernetes manifests', () => {
    const settings = ['k8s/base/settings.env', 'k8s/overlays/local/settings.env'].flatMap((f) =>
      envFileKeys(join(deploy, f)),
    );
    const problems: string[] = [];
    for (const s of serviceNames) {
      const deployment = parseYaml(readFileSync(join(deploy, `k8s/base/${s}/deployment.yaml`), 'utf8'));
      const k8s = new Set<string>(envNames(deployment.spec.template.spec.containers[0]));
      const composed = new Set(Object.keys(compose.services[s].environment ?? {}));
      for (const v of k8s)
        if (!composed.has(v) && v !== 'JAZZCASH_MPIN') problems.push(`${s}: ${v} is set in Kubernetes, not in Compose`);
      for (const v of composed)
        if (!k8s.has(v) && !settings.includes(v)) problems.push(`${s}: ${v} is set in Compose, not in Kubernetes`);
      if (String(compose.services[s].environment[portEnv(s)]) !== String(ports[s]))
        problems.push(`${s}: ${portEnv(s)} is not ${ports[s]}`);
    }
    expect(problems).toEqual([]);
  });

  it('sets only variables that a service reads', () => {
    const read = settingsRead();
    const set = bazaarServices().flatMap(([, s]) => Object.keys(s.environment ?? {}));
    expect([...new Set(set)].filter((v) => !read.has(v)).sort()).toEqual([]);
  });

  it('gives each service its own database and login role on the one PostgreSQL server', () => {
    const init = readFileSync(join(deploy, 'k8s/overlays/local/postgresql/init-databases.sql'), 'utf8');
    expect(compose.services.postgres.volumes).toContain(
      './k8s/overlays/local/postgresql/init-databases.sql:/docker-entrypoint-initdb.d/init-databases.sql:ro',
    );
    const local = Object.fromEntries(
      readFileSync(join(deploy, 'k8s/overlays/local/secrets/database.env'), 'utf8')
        .split('\n')
        .filter((l) => /^[a-z]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    for (const s of withDatabase) {
      const url = new URL(compose.services[s].environment.DATABASE_URL);
      expect(url.username).toBe(`bazaar_${s}`);
      expect(init).toContain(`CREATE ROLE bazaar_${s} LOGIN PASSWORD '${url.password}';`);
      expect(init).toContain(`CREATE DATABASE bazaar_${s} OWNER bazaar_${s};`);
      expect(local[s].replace('@postgresql:', '@postgres:'), `${s}: the same role in the local cluster`).toBe(
        url.toString(),
      );
    }
    expect(compose.services.gateway.environment.DATABASE_URL).toBeUndefined();
  });

  it('runs orders and inventory twice, publishes only on loopback, and pins every image', () => {
    expect(compose.services.orders.deploy.replicas).toBe(2);
    expect(compose.services.inventory.deploy.replicas).toBe(2);
    for (const [service, s] of Object.entries(compose.services as Record<string, Any>)) {
      for (const port of s.ports ?? []) expect(String(port), `${service} publishes ${port}`).toMatch(/^127\.0\.0\.1:/);
      expect(s.image, `${service}: a versioned image`).toMatch(/:[\w.-]+$/);
      expect(s.image).not.toMatch(/:latest$/);
    }
  });

  it('mounts only files that exist', () => {
    const missing = Object.values(compose.services as Record<string, Any>)
      .flatMap((s) => (s.volumes ?? []) as string[])
      .filter((v) => v.startsWith('./'))
      .map((v) => v.split(':')[0])
      .filter((source) => !existsSync(join(deploy, source)));
    expect(missing).toEqual([]);
  });
});

describe('observability', () => {
  it('has Prometheus scrape every service on its port, every replica found through DNS', () => {
    const config = parseYaml(readFileSync(join(deploy, 'prometheus/prometheus.yml'), 'utf8'));
    const job = config.scrape_configs.find((j: Any) => j.job_name === 'bazaar');
    expect(job.metrics_path).toBe('/metrics');
    const targets = Object.fromEntries(job.dns_sd_configs.flatMap((d: Any) => d.names.map((n: string) => [n, d.port])));
    expect(targets).toEqual(ports);
  });

  it("has prometheus.yml's header name every metric a service declares", async () => {
    const header = readFileSync(join(deploy, 'prometheus/prometheus.yml'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .join('\n');
    const { Registry } = await import('prom-client');
    const { httpMetrics } = await import('../../packages/kit/src/server/metrics.ts');
    const registry = new Registry();
    httpMetrics(registry);
    const defaults = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    const declared = [...(await exportedMetrics())].filter(
      (m) =>
        m !== 'up' &&
        !defaults.has(m) &&
        !/_(bucket|count|sum)$/.test(m) &&
        !defaults.has(m.replace(/_(bucket|count|sum)$/, '')),
    );
    expect(declared.length).toBeGreaterThan(15);
    expect(declared.filter((m) => !new RegExp(`\\b${m}\\b`).test(header))).toEqual([]);
  });

  it('has the Grafana dashboard chart only metrics the services export today', async () => {
    const dashboard = JSON.parse(readFileSync(join(deploy, 'grafana/dashboards/bazaar.json'), 'utf8'));
    expect(dashboard.uid).toBe('bazaar-overview');
    const known = await exportedMetrics();
    const exprs: string[] = dashboard.panels.flatMap((p: Any) => (p.targets ?? []).map((t: Any) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    const unknown = exprs.flatMap((e) =>
      metricNames(e)
        .filter((m) => !known.has(m))
        .map((m) => `${m} in ${e}`),
    );
    expect(unknown).toEqual([]);
    for (const needed of [
      'http_server_request_duration_seconds_bucket',
      'process_resident_memory_bytes',
      'payments_circuit_breaker_state',
    ])
      expect(
        exprs.some((e) => metricNames(e).includes(needed)),
        needed,
      ).toBe(true);
    const variable = '$' + '{datasource}'; // Grafana's variable syntax, not a template literal
    for (const p of dashboard.panels.filter((x: Any) => x.type !== 'row'))
      expect(p.datasource).toEqual({ type: 'prometheus', uid: variable });
  });

  it("has the dashboard and the alerts find the scrape job of Compose and of the README's PodMonitor", () => {
    const config = parseYaml(readFileSync(join(deploy, 'prometheus/prometheus.yml'), 'utf8'));
    // The Prometheus Operator names a PodMonitor's job <namespace>/<name>.
    const readme = readFileSync(join(deploy, 'README.md'), 'utf8');
    const monitor = parseYaml(/```yaml\n([^`]*kind: PodMonitor[^`]*)```/.exec(readme)![1]);
    expect(monitor.kind).toBe('PodMonitor');
    const jobs = [config.scrape_configs[0].job_name, `${monitor.metadata.namespace}/${monitor.metadata.name}`];
    const dashboard = JSON.parse(readFileSync(join(deploy, 'grafana/dashboards/bazaar.json'), 'utf8'));
    const rules = parseYaml(readFileSync(join(deploy, 'prometheus/rules.yml'), 'utf8'));
    const exprs: string[] = [
      ...dashboard.panels.flatMap((p: Any) => (p.targets ?? []).map((t: Any) => t.expr)),
      ...rules.groups.flatMap((g: Any) => g.rules.map((r: Any) => r.expr)),
    ];
    const ups = exprs.flatMap((e) => [...e.matchAll(/\bup\{([^}]*)\}/g)].map((m) => m[1]));
    expect(ups.length).toBeGreaterThanOrEqual(2);
    for (const matchers of ups) {
      const [, op, value] = /\bjob\s*(=~|=)\s*"([^"]*)"/.exec(matchers) ?? [];
      expect(op, matchers).toBeDefined();
      for (const job of jobs)
        expect(op === '=' ? value === job : new RegExp(`^(?:${value})$`).test(job), `${matchers} finds ${job}`).toBe(
          true,
        );
    }
  });

  it('provisions Grafana in Compose with Prometheus and the dashboard', () => {
    const compose = parseDocument(readFileSync(join(deploy, 'compose.yaml'), 'utf8'), { merge: true }).toJS();
    const sources = parseYaml(readFileSync(join(deploy, 'grafana/provisioning/datasources/datasources.yaml'), 'utf8'));
    expect(sources.datasources.find((d: Any) => d.type === 'prometheus').url).toBe('http://prometheus:9090');
    expect(compose.services.prometheus).toBeDefined();
    const provider = parseYaml(readFileSync(join(deploy, 'grafana/provisioning/dashboards/dashboards.yaml'), 'utf8'))
      .providers[0];
    const mounts: string[] = compose.services.grafana.volumes;
    expect(mounts).toContain(`./grafana/dashboards:${provider.options.path}:ro`);
    expect(mounts).toContain('./grafana/provisioning:/etc/grafana/provisioning:ro');
    expect(compose.services.grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(
      `${provider.options.path}/bazaar.json`,
    );
  });
});

/** The Compose specification's JSON schema, as shipped by the dclint package (the compose-spec project's schema). */
function composeSchema(): Record<string, unknown> {
  const dir = resolve(createRequire(import.meta.url).resolve('dclint/package.json'), '..');
  const schema = JSON.parse(readFileSync(join(dir, 'schemas/compose.schema.json'), 'utf8'));
  delete schema.$schema; // draft-07, Ajv's default; the https form of its URI is not one Ajv knows by name
  return schema;
}

/** Every metric the services can export now: prom-client's defaults, the kit's HTTP histogram, and any metric a
 * service declares with prom-client (found in the sources), plus Prometheus' own `up`. */
async function exportedMetrics(): Promise<Set<string>> {
  const { Registry } = await import('prom-client');
  const { httpMetrics } = await import('../../packages/kit/src/server/metrics.ts');
  const registry = new Registry();
  httpMetrics(registry); // registers prom-client's default metrics too
  const names = new Set(['up']);
  const add = (metric: string, type: string) => {
    names.add(metric);
    if (type === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) names.add(metric + suffix);
    if (type === 'summary') for (const suffix of ['_count', '_sum']) names.add(metric + suffix);
  };
  for (const m of await registry.getMetricsAsJSON()) add(m.name, String(m.type));
  const grep = spawnSync('git', ['grep', '--untracked', '-l', "from 'prom-client'", '--', 'services', 'packages'], {
    cwd: repo,
    encoding: 'utf8',
  });
  for (const file of grep.stdout.split('\n').filter((f) => f && !f.endsWith('.test.ts') && existsSync(join(repo, f)))) {
    const text = readFileSync(join(repo, file), 'utf8');
    for (const [, type, metric] of text.matchAll(
      /new (Counter|Gauge|Histogram|Summary)\(\{\s*name: '([a-z_:][\w:]*)'/g,
    ))
      add(metric, type.toLowerCase());
  }
  return names;
}

/** The metric names a PromQL expression reads (labels, strings, ranges, functions and keywords removed). */
function metricNames(expr: string): string[] {
  const keywords = new Set([
    'by',
    'without',
    'or',
    'and',
    'unless',
    'on',
    'ignoring',
    'group_left',
    'group_right',
    'bool',
    'offset',
  ]);
  const bare = expr
    .replace(/"[^"]*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without)\s*\([^)]*\)/g, '');
  return [...bare.matchAll(/[a-zA-Z_:][\w:]*/g)]
    .filter((m) => !/^\s*\(/.test(bare.slice(m.index + m[0].length))) // a function call, not a metric
    .map((m) => m[0])
    .filter((t) => !keywords.has(t));
}

/** Every environment variable some part of Bazaar reads: the keys of every config spec (services, CLI). */
function settingsRead(): Set<string> {
  const grep = spawnSync(
    'git',
    ['grep', '--untracked', '-l', '@bazaar/kit/config', '--', 'services', 'apps', 'packages'],
    {
      cwd: repo,
      encoding: 'utf8',
    },
  );
  const names = new Set<string>();
  for (const file of grep.stdout.split('\n').filter((f) => f && !f.endsWith('.test.ts') && existsSync(join(repo, f))))
    for (const m of readFileSync(join(repo, file), 'utf8').matchAll(
      /\b(?:str|int|bool|optional|grpcPort)\(\s*'([A-Z][A-Z0-9_]*)'|\benv: '([A-Z][A-Z0-9_]*)'/g,
    ))
      names.add(m[1] ?? m[2]);
  return names;
}

function envFileKeys(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => /^[A-Za-z_]\w*=/.test(l))
    .map((l) => l.slice(0, l.indexOf('=')));
}

type ConfigReference = { kind: string; name: string; key?: string; optional?: boolean };

/** The Secrets and ConfigMaps a container reads, through its variables or its pod's volumes. */
function configReferences(c: Any, spec: Any): ConfigReference[] {
  return [
    ...(c.env ?? []).flatMap((e: Any) => [
      ...(e.valueFrom?.secretKeyRef ? [{ kind: 'Secret', ...e.valueFrom.secretKeyRef }] : []),
      ...(e.valueFrom?.configMapKeyRef ? [{ kind: 'ConfigMap', ...e.valueFrom.configMapKeyRef }] : []),
    ]),
    ...(c.envFrom ?? []).flatMap((e: Any) => [
      ...(e.secretRef ? [{ kind: 'Secret', ...e.secretRef }] : []),
      ...(e.configMapRef ? [{ kind: 'ConfigMap', ...e.configMapRef }] : []),
    ]),
    ...(spec.volumes ?? []).flatMap((v: Any) => [
      ...(v.secret ? [{ kind: 'Secret', name: v.secret.secretName, optional: v.secret.optional }] : []),
      ...(v.configMap ? [{ kind: 'ConfigMap', name: v.configMap.name, optional: v.configMap.optional }] : []),
    ]),
  ];
}

type Pod = { owner: K8sObject; spec: Any; labels: Record<string, string>; longRunning: boolean };

/** The pod templates of every workload, with whether its containers are meant to keep running. */
function workloads(objects: K8sObject[]): Pod[] {
  return objects.flatMap((o): Pod[] => {
    const template = o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec?.template;
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(o.kind))
      return [{ owner: o, spec: template.spec, labels: template.metadata.labels, longRunning: true }];
    if (['Job', 'CronJob'].includes(o.kind))
      return [{ owner: o, spec: template.spec, labels: template.metadata?.labels ?? {}, longRunning: false }];
    if (o.kind === 'Pod') return [{ owner: o, spec: o.spec, labels: o.metadata.labels ?? {}, longRunning: true }];
    return [];
  });
}

const envNames = (c: Any): string[] => (c.env ?? []).map((e: Any) => e.name);

function hardeningProblems({ owner, spec }: Pod): string[] {
  const problems: string[] = [];
  const pod = spec.securityContext ?? {};
  const say = (what: string) => problems.push(`${name(owner)}: ${what}`);
  if (spec.automountServiceAccountToken !== false) say('mounts a service account token');
  if (spec.enableServiceLinks !== false)
    say('injects service link variables (they collide with settings such as USERS_PORT)');
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) say("shares the host's namespaces");
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    const sc = c.securityContext ?? {};
    const where = (what: string) => say(`${c.name} ${what}`);
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) where('may run as root');
    if ((sc.runAsUser ?? pod.runAsUser) === 0) where('runs as UID 0');
    if (sc.readOnlyRootFilesystem !== true) where('has a writable root file system');
    if (sc.allowPrivilegeEscalation !== false) where('allows privilege escalation');
    if (sc.privileged) where('is privileged');
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) where('keeps its capabilities (drop ALL)');
    if ((sc.capabilities?.add ?? []).length > 0) where('adds capabilities');
    if ((sc.seccompProfile ?? pod.seccompProfile)?.type !== 'RuntimeDefault')
      where('has no RuntimeDefault seccomp profile');
    for (const kind of ['requests', 'limits'])
      for (const resource of ['cpu', 'memory'])
        if (!c.resources?.[kind]?.[resource]) where(`has no ${resource} ${kind}`);
  }
  return problems;
}

function probeProblems({ owner, spec, longRunning }: Pod): string[] {
  if (!longRunning) return [];
  const problems: string[] = [];
  for (const c of spec.containers) {
    const declared = (c.ports ?? []).flatMap((p: Any) => [p.name, p.containerPort]);
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const p = c[probe];
      if (!p) {
        problems.push(`${name(owner)}/${c.name}: no ${probe}`);
        continue;
      }
      const port = p.httpGet?.port ?? p.tcpSocket?.port ?? p.grpc?.port;
      if (port !== undefined && !declared.includes(port))
        problems.push(`${name(owner)}/${c.name}: ${probe} targets undeclared port ${port}`);
      if (p.httpGet && !p.httpGet.path?.startsWith('/'))
        problems.push(`${name(owner)}/${c.name}: ${probe} has no path`);
    }
    if (c.livenessProbe?.httpGet?.path === '/readyz')
      problems.push(`${name(owner)}/${c.name}: liveness follows readiness (a dependency outage would restart it)`);
  }
  return problems;
}

/** The prod Secrets created out of band, as documented by deploy/k8s/overlays/prod/secrets/*.env.example. */
function secretExamples(): Map<string, Set<string>> {
  const dir = join(deploy, 'k8s/overlays/prod/secrets');
  const secrets = new Map<string, Set<string>>();
  for (const [file, secret] of [
    ['bazaar.env.example', 'bazaar-secrets'],
    ['database.env.example', 'bazaar-database'],
    ['payments.env.example', 'bazaar-payments'],
  ]) {
    const keys = readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => /^[A-Za-z_][\w]*=/.test(l))
      .map((l) => l.split('=')[0]);
    secrets.set(secret, new Set(keys));
  }
  return secrets;
}

/** Runtime files: non-test sources, migrations and manifests of the workspaces, the gRPC contracts (loaded at run
 * time), and the root package files. */
function contextFilesUnfiltered(): Set<string> {
  const all = new Set<string>();
  const paths = ['packages', 'services', 'apps', 'proto', 'package.json', 'package-lock.json'];
  const list = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', ...paths], {
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
  for (const dir of spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*/package.json'], {
    cwd: repo,
    encoding: 'utf8',
  }).stdout.split('\n')) {
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
    const specifiers = [
      ...text.matchAll(
        /^\s*(?:import|export)(?!\s+type\b)(?:[^'"]*?\sfrom)?\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm,
      ),
    ].map((m) => m[1] ?? m[2]);
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
