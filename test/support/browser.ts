// Debian's Chromium for the browser tests (headless, through playwright-core): launched once per file, skipped where
// it is missing and failing in CI; fresh pages that collect what the browser reports as errors; screenshots.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { build } from 'vite';

const repo = join(import.meta.dirname, '../..');
const shots = join(repo, 'test-results/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const PHONE = { width: 390, height: 844 };

async function launch(): Promise<{ browser: Browser } | { reason: string }> {
  if (!existsSync(CHROMIUM)) return { reason: `${CHROMIUM} is missing (apt-get install chromium)` };
  try {
    // Playwright gives the browser a fresh, empty profile of its own.
    return { browser: await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 }) };
  } catch (error) {
    return { reason: `Chromium did not start: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** launchChromium answers the browser, or undefined with the reason printed: a laptop may lack it, CI must not. */
export async function launchChromium(suite: string): Promise<Browser | undefined> {
  const launched = await launch();
  if ('browser' in launched) return launched.browser;
  if (process.env.CI === 'true') throw new Error(`browser tests cannot run in CI: ${launched.reason}`);
  console.warn(`skipping the ${suite} browser tests: ${launched.reason}`);
  return undefined;
}

export type PageOptions = {
  baseURL: string;
  viewport: { width: number; height: number };
  isMobile?: boolean;
  /** Console errors that are expected, e.g. the browser's own line for a 4xx answer the page explains. */
  expected?: RegExp;
};

/** openPage opens a fresh context (nothing cached); console errors (a CSP violation, a failed script) are problems. */
export async function openPage(
  browser: Browser,
  { baseURL, viewport, isMobile = false, expected }: PageOptions,
): Promise<{ ctx: BrowserContext; page: Page; problems: string[] }> {
  const ctx = await browser.newContext({ viewport, baseURL, isMobile, hasTouch: isMobile });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !expected?.test(m.text())) problems.push(m.text());
  });
  return { ctx, page, problems };
}

/** buildApp builds a web app from its sources as `npm install` would, so the test sees what the sources say now. */
export async function buildApp(app: 'storefront' | 'console'): Promise<void> {
  await build({ root: join(repo, 'apps', app), logLevel: 'warn' });
}

/** screenshot saves test-results/screenshots/<name>.png (Playwright makes the folder), the whole page unless told. */
export const screenshot = (page: Page, name: string, fullPage = true) =>
  page.screenshot({ path: join(shots, `${name}.png`), fullPage });
