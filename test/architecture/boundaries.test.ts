// The layer rules of the services' layout (the root README's Layout, each service's README), checked on every
// import: services meet only through contracts, domain/ does no I/O, the kit knows no business, and only config.ts
// files read the environment.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const SERVICES = readdirSync(join(root, 'services')).filter((name) => existsSync(join(root, 'services', name, 'src')));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(path) && !/\.test\.tsx?$/.test(path) ? [path] : [];
  });
}

const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
const serviceFiles = SERVICES.flatMap((s) =>
  sources(join(root, 'services', s, 'src')).map((file) => ({ service: s, file })),
);

describe('architecture', () => {
  it('services import one another only through their contracts', () => {
    expect(serviceFiles.length).toBeGreaterThan(30);
    expect(serviceFiles.some(({ file }) => importsOf(file).includes('@bazaar/orders/contracts'))).toBe(true);
    const offences = serviceFiles.flatMap(({ service, file }) =>
      importsOf(file)
        .filter((spec) => {
          const other = /^@bazaar\/(\w+)(\/.*)?$/.exec(spec);
          if (other && SERVICES.includes(other[1]) && other[1] !== service) return other[2] !== '/contracts';
          return /\.\.\/\.\.\/\.\.\/(services|\w+\/src)/.test(spec);
        })
        .map((spec) => `${relative(root, file)} imports ${spec}`),
    );
    expect(offences).toEqual([]);
  });

  it('domain code does no I/O', () => {
    const io =
      /^(node:(fs|net|http|https|child_process|dgram)|pg|@electric-sql\/pglite|undici|fastify|amqplib|nats|ioredis|@grpc\/.*|@bazaar\/kit\/(database|http|grpc|service))$|\/(data|api|clients|consumers)\//;
    const offences = serviceFiles
      .filter(({ file }) => file.includes('/domain/'))
      .flatMap(({ file }) =>
        importsOf(file)
          .filter((spec) => io.test(spec))
          .map((spec) => `${relative(root, file)} imports ${spec}`),
      );
    expect(offences).toEqual([]);
  });

  it('the kit imports no service', () => {
    const offences = sources(join(root, 'packages/kit/src')).flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.startsWith('@bazaar/'))
        .map((spec) => `${relative(root, file)} imports ${spec}`),
    );
    expect(offences).toEqual([]);
  });

  it('the browser apps take from the kit only what runs in a browser', () => {
    const apps = ['storefront', 'console', 'web-kit'].flatMap((app) => sources(join(root, 'apps', app, 'src')));
    const offences = apps.flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.startsWith('@bazaar/kit') && spec !== '@bazaar/kit/page-match')
        .map((spec) => `${relative(root, file)} imports ${spec}`),
    );
    expect(apps.some((file) => importsOf(file).includes('@bazaar/kit/page-match'))).toBe(true);
    expect(offences).toEqual([]);
  });

  it('only config files read process.env', () => {
    const allowed = /(config\.ts|kit\/src\/config\/index\.ts|kit\/src\/testing\/.*)$/;
    const offences = [
      ...serviceFiles.map((f) => f.file),
      ...sources(join(root, 'packages/kit/src')),
      ...sources(join(root, 'apps/cli/src')),
    ]
      .filter((file) => !allowed.test(file) && /process\.env\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    expect(offences).toEqual([]);
  });
});
