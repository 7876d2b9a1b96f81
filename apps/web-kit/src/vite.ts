// vite: the build both browser apps share, so the storefront and the console ship assets the gateway serves alike.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin, type UserConfig } from 'vite';

/**
 * The `npm start` gateway that `vite` (the dev server) sends API requests to: the one at PORT, as `npm start` reads
 * it, or BAZAAR_URL for any other (build tooling, so it reads the environment itself).
 */
const GATEWAY = process.env.BAZAAR_URL ?? `http://localhost:${process.env.PORT ?? 8080}`;

/** precompress writes .br and .gz beside each built script and stylesheet: the gateway sends what the browser takes. */
export function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'bazaar-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const assets = join(outDir, 'assets');
      for (const name of readdirSync(assets)) {
        if (!/\.(js|css|svg|json)$/.test(name)) continue;
        const data = readFileSync(join(assets, name));
        writeFileSync(join(assets, `${name}.gz`), gzipSync(data, { level: 9 }));
        writeFileSync(
          join(assets, `${name}.br`),
          brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }
    },
  };
}

/** pageList writes dist/routes.json, the app's page paths: the gateway answers 404 for a path of none of them. */
export function pageList(pages: readonly string[]): Plugin {
  return {
    name: 'bazaar-page-list',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'routes.json', source: JSON.stringify({ pages }) });
    },
  };
}

type WebAppOptions = {
  /** Where the gateway serves the app: every asset URL the build writes starts there. */
  base?: string;
  /** The paths the dev server forwards to the gateway. */
  proxied: string[];
  /** The app's page paths (`:name` takes one segment), when it has a list of them: see pageList. */
  pages?: readonly string[];
};

/** webApp is an app's whole Vite config: Preact, one small ES2022 bundle into dist/, precompressed. */
export function webApp({ base = '/', proxied, pages }: WebAppOptions): UserConfig {
  return defineConfig({
    base,
    // Preact's JSX through Vite's own transformer (Oxc): no Babel, no framework plugin needed.
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    plugins: [precompress(), ...(pages ? [pageList(pages)] : [])],
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      target: 'es2022',
      // One small bundle, no inline scripts (the gateway's Content-Security-Policy allows none).
      modulePreload: { polyfill: false },
    },
    server: { proxy: Object.fromEntries(proxied.map((path) => [path, GATEWAY])) },
  });
}
