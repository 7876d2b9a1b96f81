// What the operations console tells an operator auditing the platform, in Debian's Chromium against the whole platform
// embedded on free ports: each call made to a wallet provider, failed ones sent again included, when it was sent and how
// long it took; how a trace's request was answered; where the keyboard's focus goes after a dead letter's Replay.
import { randomUUID } from 'node:crypto';
import type { Envelope } from '@bazaar/kit/messaging';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedded } from '../../apps/cli/src/embedded.ts';
import { ms } from '../../apps/console/src/lib/format.ts';
import { buildApp, launchChromium, openPage, screenshot } from '../support/browser.ts';
import { ADMIN, startTestPlatform } from '../support/platform.ts';
import { Shopper } from '../support/shop.ts';

const browser = await launchChromium('console audit');

let platform: Embedded;
let admin: Shopper;

const poll = <T>(actual: () => T | Promise<T>, timeout = 15_000) => expect.poll(actual, { timeout });

/** A logged-in admin's page at `path`; every console error counts as a problem. */
async function consoleAt(path: string) {
  const opened = await openPage(browser!, { baseURL: platform.gatewayUrl, viewport: { width: 1280, height: 900 } });
  await opened.page.goto(path);
  await logIn(opened.page);
  return opened;
}

async function logIn(page: Page) {
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

/** The provider calls payments recorded for an order's payment, as the API answers them. */
async function providerCalls(orderId: string) {
  const [payment] = (await admin.call('GET', `/api/payments?orderId=${orderId}`)).body.items;
  return (await admin.call('GET', `/api/payments/${payment.id}/attempts`)).body.items as {
    operation: string;
    result: string;
    startedAt: string;
    durationMs: number;
  }[];
}

describe.runIf(browser)('the console as an operator audits with it', () => {
  beforeAll(async () => {
    await buildApp('console');
    platform = await startTestPlatform({ courierStepMs: 100 });
    admin = new Shopper(platform.gatewayUrl);
    await admin.logIn(ADMIN.email, ADMIN.password);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('says when each call to the provider was sent and how long it took: a timed-out debit took the whole deadline', async () => {
    // The provider keeps this wallet waiting past its deadline (4 s): payments gives up, inquires and reverses.
    const placed = await admin.order([{ sku: 'TEA-001', quantity: 1 }], { method: 'jazzcash', wallet: '03000000003' });
    const orderId: string = placed.body.id;
    expect((await admin.until(orderId, (o) => o.status === 'REJECTED')).status).toBe('REJECTED');
    const calls = await providerCalls(orderId);
    expect(calls[0]).toMatchObject({ operation: 'authorize', result: 'timeout' });
    expect(calls[0].durationMs).toBeGreaterThanOrEqual(4_000);

    const { ctx, page, problems } = await consoleAt(`/console/orders/${orderId}`);
    const rows = page.locator('table.provider-calls tbody tr');
    await poll(() => rows.count()).toBe(calls.length);
    for (const [i, call] of calls.entries()) {
      const row = rows.nth(i);
      expect(await row.locator('td[data-label="Took"]').textContent()).toBe(ms(call.durationMs));
      expect(await row.locator('td[data-label="Sent (PKT)"] time').getAttribute('datetime')).toBe(call.startedAt);
    }
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('lists every request the provider saw: the two server errors sent again before the approval', async () => {
    // The provider fails this wallet twice with HTTP 500, then approves: one debit, three requests.
    const placed = await admin.order([{ sku: 'TEA-001', quantity: 1 }], { method: 'easypaisa', wallet: '03000000004' });
    expect(placed.body.status).toBe('CONFIRMED');
    const { ctx, page, problems } = await consoleAt(`/console/orders/${placed.body.id}`);
    const rows = page.locator('table.provider-calls tbody tr');
    await poll(() => rows.count()).toBe(3);
    expect(await rows.locator('td[data-label="Call"]').allTextContents()).toEqual(
      Array(3).fill('Authorise · easypaisa'),
    );
    expect(await rows.locator('td[data-label="Result"]').allTextContents()).toEqual([
      'server_error (sent again)',
      'server_error (sent again)',
      'approved',
    ]);
    await screenshot(page, 'console-provider-calls-retried');
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('heads a trace with how its request was answered: the HTTP status, and whether it failed', async () => {
    const placed = await admin.order([{ sku: 'TEA-001', quantity: 1 }], { method: 'cod' });
    const declined = await admin.order([{ sku: 'TEA-001', quantity: 1 }], {
      method: 'jazzcash',
      wallet: '03000000002',
    });
    // A payment notification whose page on the provider's host says nothing of a payment: 503, to be sent again.
    const unread = await admin.call('POST', '/api/payments/callbacks/easypaisa', {
      url: `${platform.urls.easypaisa}/easypay-service/rest/v4/ipn/T-no-such-ref`,
    });
    const answers: [number, string][] = [
      [201, 'POST /api/orders answered 201 · succeeded'],
      [402, 'POST /api/orders answered 402 · refused'],
      [503, 'POST /api/payments/callbacks/:provider answered 503 · failed'],
    ];
    const { ctx, page, problems } = await consoleAt('/console/traces');
    for (const [i, res] of [placed, declined, unread].entries()) {
      expect(res.status).toBe(answers[i][0]);
      await page.goto(`/console/traces/${res.headers.get('x-trace-id')}`);
      const answer = page.locator('.trace-answer');
      await poll(() => answer.textContent()).toBe(answers[i][1]);
      expect(await answer.locator('.pill').getAttribute('class')).toBe(`pill ${['ok', 'warn', 'bad'][i]}`);
    }
    await screenshot(page, 'console-trace-failed', false);
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('after a Replay by keyboard, the focus goes on to the next dead letter’s Replay, and after the last to the outcome', async () => {
    // A consumer that refuses its events until it is fixed, as a handler with a bug would: two letters wait.
    let fixed = false;
    const handled: string[] = [];
    await platform.platform.broker.subscribe('users.console-audit', ['AuditProbe'], async (event) => {
      if (!fixed) throw new Error('cannot handle AuditProbe yet');
      handled.push(event.id);
    });
    const probe = (): Envelope => ({
      specversion: '1.0',
      id: randomUUID(),
      source: 'console-audit-test',
      type: 'AuditProbe',
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: { note: 'poisoned on purpose' },
    });
    const poisons = [probe(), probe()];
    for (const poison of poisons) await platform.platform.broker.publish(poison);

    const { ctx, page, problems } = await consoleAt('/console/messaging');
    await page.getByRole('heading', { name: 'Dead letters (2)' }).waitFor();
    fixed = true;
    const replays = page.locator('.letter button', { hasText: 'Replay' });
    const [first, second] = await replays.evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label')));
    const focused = () =>
      page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.className);

    await page.getByRole('button', { name: first! }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Replayed AuditProbe' }).waitFor();
    await poll(focused).toBe(second);
    await page.getByRole('heading', { name: 'Dead letters (1)' }).waitFor();
    expect(await focused()).toBe(second);

    // The last one: nothing is left to go on to, so the focus is on what was said about it.
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Dead letters (0)' }).waitFor();
    await poll(focused).toBe('live-outcome');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/^Replayed AuditProbe /);
    expect(handled.sort()).toEqual(poisons.map((p) => p.id).sort());
    expect(problems).toEqual([]);
    await ctx.close();
  });
});
