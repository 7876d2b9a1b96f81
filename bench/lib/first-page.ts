// The storefront's first page as a new shopper's browser meets it: Debian's Chromium (headless, playwright-core),
// a fresh context each time (nothing cached), from navigation to the page's own `bazaar:ready` mark.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** firstPageReadyMs: the ms of each cold load, or why none could be made. */
export async function firstPageReadyMs(url: string, loads: number): Promise<number[] | { skipped: string }> {
  if (!existsSync(CHROMIUM)) return { skipped: `${CHROMIUM} is missing (apt-get install chromium)` };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
  try {
    const ms: number[] = [];
    for (let i = 0; i < loads; i++) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      await page.goto(url);
      await page.locator('html[data-ready="true"]').waitFor({ timeout: 30_000 });
      ms.push(await page.evaluate(() => performance.getEntriesByName('bazaar:ready')[0]?.startTime ?? Number.NaN));
      await ctx.close();
    }
    return ms;
  } finally {
    await browser.close();
  }
}
