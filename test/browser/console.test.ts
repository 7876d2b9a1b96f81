// The operations console as an admin uses it: Debian's Chromium (headless, through playwright-core) against the
// whole platform embedded on free ports. A real order's trace is drawn as a waterfall across the services, with its
// log lines; a poisoned event waits in the dead-letter queue until the admin replays it; an order is listed and opens
// to its payment, shipment and traces; a product is added, edited, restocked and found in the catalogue. Screenshots land in test-results/screenshots/ (console-*.png).
import { randomUUID } from 'node:crypto';
import { SERVICE_NAMES } from '@bazaar/cli/services';
import type { Envelope } from '@bazaar/kit/messaging';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedded } from '../../apps/cli/src/embedded.ts';
import { buildApp, launchChromium, openPage, type PageOptions, PHONE, screenshot as shot } from '../support/browser.ts';
import { ADMIN, startTestPlatform } from '../support/platform.ts';
import { Shopper } from '../support/shop.ts';

const DESKTOP = { width: 1280, height: 900 };
const SERVICES = ['gateway', ...SERVICE_NAMES].sort();

const browser = await launchChromium('console');

let platform: Embedded;
let base: string;
let traceId: string;
let orderId: string;

/** A fresh browser context on the platform; every console error counts as a problem. */
const context = (viewport = DESKTOP, isMobile = false, expected?: PageOptions['expected']) =>
  openPage(browser!, { baseURL: base, viewport, isMobile, expected });
/** The browser's own line for an answer the catalogue page explains in words (a 400 or a 409). */
const REFUSED = /the server responded with a status of 40[09]/;

const poll = <T>(actual: () => T | Promise<T>, timeout = 15_000) => expect.poll(actual, { timeout });

async function logIn(page: Page) {
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

describe.runIf(browser)('the operations console in Chromium', () => {
  beforeAll(async () => {
    await buildApp('console');
    // Debug level: services log each request, gRPC call and handled event, so a trace has lines from every one.
    platform = await startTestPlatform({ courierStepMs: 100, logSink: { write() {} }, logLevel: 'debug' });
    base = platform.gatewayUrl;

    const shopper = new Shopper(base);
    await shopper.signUp('Sana Malik');
    const placed = await shopper.order([{ sku: 'TEA-001', quantity: 2 }], {
      method: 'jazzcash',
      wallet: '03001234567',
    });
    expect(placed.status).toBe(201);
    traceId = placed.headers.get('x-trace-id')!;
    orderId = placed.body.id;
    // The shipment and the user's history follow from the OrderConfirmed event, inside the same trace.
    const delivered = await shopper.until(placed.body.id, (o) => o.status === 'DELIVERED');
    expect(delivered.status).toBe('DELIVERED');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('an admin logs in, sees every service healthy, and opens a real order’s trace as a waterfall with its log lines', async () => {
    const { ctx, page, problems } = await context();
    await page.goto('/console');
    await page.getByRole('heading', { name: 'Log in to the console' }).waitFor();
    await shot(page, 'console-login');
    // Empty fields are caught before anything is sent.
    await page.getByRole('button', { name: 'Log in' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('Enter the admin account’s email and password.');
    await logIn(page);

    await page.getByRole('heading', { name: 'Services and replicas' }).waitFor();
    for (const name of SERVICES) await page.locator(`#svc-${name}`).waitFor();
    await poll(() => page.locator('.state.ok').count()).toBeGreaterThanOrEqual(5);
    // Times are the shop's, Pakistan time, and say so.
    await page.getByText(/updated \d\d:\d\d:\d\d PKT/).waitFor();
    await shot(page, 'console-services');
    // Pause stops the refreshing at once: not one more request.
    let asked = 0;
    page.on('request', (r) => {
      if (r.url().endsWith('/api/ops/services')) asked++;
    });
    // Right after a refresh the next one is 2 s away: any request from here on is one the pause made.
    await page.waitForResponse((r) => r.url().endsWith('/api/ops/services'));
    const atPause = asked;
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForTimeout(2_500);
    expect(asked).toBe(atPause);
    await page.getByRole('button', { name: 'Resume' }).click();
    await poll(() => asked).toBeGreaterThan(atPause);

    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Traces' }).click();
    await page.getByRole('heading', { name: 'Recent traces' }).waitFor();
    // The trace column's link (the request's path links there too).
    const orderTrace = page.locator(`td:last-child a[href="/console/traces/${traceId}"]`);
    await orderTrace.waitFor();
    // How far back traces go, said beside them.
    await page
      .getByText(/Each process keeps its newest 20,000 spans; the gateway’s go back to \d\d:\d\d:\d\d PKT/)
      .waitFor();
    await shot(page, 'console-traces');
    await orderTrace.click();

    await page.getByRole('heading', { name: 'Waterfall' }).waitFor();
    await poll(() => page.locator('.wf-bar').count()).toBeGreaterThanOrEqual(20);
    const drawn = await page
      .locator('.wf-bar')
      .evaluateAll((bars) => [...new Set(bars.map((b) => (b as HTMLElement).dataset.service))]);
    expect(drawn.sort()).toEqual(SERVICES);
    // Bars are placed along the track by their start: the root spans it, later spans start further right.
    const boxes = await page.locator('.wf-bar').evaluateAll((bars) =>
      bars.map((b) => {
        const r = b.getBoundingClientRect();
        return { x: r.x, width: r.width };
      }),
    );
    expect(boxes[0].width).toBeGreaterThan(boxes[1].width / 2);
    expect(Math.max(...boxes.map((b) => b.x))).toBeGreaterThan(boxes[0].x + 50);
    // The time marks read as round as they are: 50 ms, never 50.0 ms.
    const marks = await page.locator('.wf-tick').allTextContents();
    expect(marks[0]).toBe('0');
    for (const mark of marks.slice(1)) expect(mark).toMatch(/^\d+(\.\d*[1-9])? (ms|s)$/);

    // The log lines of every service for this trace sit below.
    await poll(() => page.locator('table.logs tbody tr').count()).toBeGreaterThanOrEqual(6);
    const logServices = await page.locator('table.logs tbody .service-tag').allTextContents();
    for (const name of SERVICES) expect(logServices, name).toContain(name);

    // A span opens to its attributes.
    const ordersServer = page.locator('.wf-row[data-service="orders"] .wf-label', { hasText: 'POST /api/orders' });
    await ordersServer.click();
    await poll(() => ordersServer.getAttribute('aria-expanded')).toBe('true');
    await page.locator('.wf-detail').getByText('http.route').waitFor();
    await shot(page, 'console-waterfall');

    // The header links to the storefront, the other app.
    await page.getByRole('banner').getByRole('link', { name: 'Storefront' }).click();
    await page.waitForURL(`${base}/`);
    await page.locator('html[data-ready="true"]').waitFor();
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('finds an order’s traces by its order id, the one that placed it first, and goes back from the trace to the order', async () => {
    const { ctx, page, problems } = await context();
    await page.goto('/console/traces');
    await logIn(page);
    await page.getByRole('heading', { name: 'Recent traces' }).waitFor();
    await page.getByLabel('Open a trace by its id, or find an order’s').fill(orderId);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('heading', { name: `Traces of ${orderId}` }).waitFor();
    const first = page.locator('.order-traces li').first();
    expect(await first.textContent()).toContain('order placed');
    await first.locator(`a[href="/console/traces/${traceId}"]`).click();
    await page.getByRole('heading', { name: 'Waterfall' }).waitFor();
    // And back: the trace names the order its lines are about, a link to the order's page.
    await page.locator('.trace-orders').getByRole('link', { name: orderId }).click();
    await page.getByRole('heading', { name: `Order ${orderId}` }).waitFor();
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('lists only the failed requests when asked, so a declined order is not pushed out by the console’s own polling', async () => {
    const shopper = new Shopper(base);
    await shopper.signUp('Rabia Declined');
    const declined = await shopper.order([{ sku: 'TEA-001', quantity: 1 }], {
      method: 'jazzcash',
      wallet: '03000000002',
    });
    expect(declined.status).toBe(402);
    const declinedTrace = declined.headers.get('x-trace-id')!;
    const { ctx, page, problems } = await context();
    await page.goto('/console/traces');
    await logIn(page);
    await page.getByRole('heading', { name: 'Recent traces' }).waitFor();
    await page.getByLabel('Failed requests only').check();
    await page.locator(`td:last-child a[href="/console/traces/${declinedTrace}"]`).waitFor();
    await poll(() => page.locator(`a[href="/console/traces/${traceId}"]`).count()).toBe(0);
    const statuses = await page.locator('table.traces tbody .pill').allTextContents();
    expect(statuses.every((status) => Number(status) >= 400)).toBe(true);
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('draws the waterfall at phone width without sideways scrolling', async () => {
    const { ctx, page, problems } = await context(PHONE, true);
    await page.goto('/console/traces');
    await logIn(page);
    // On a phone the trace column is off screen: the request itself opens its trace.
    const request = page.locator(`tr:has(a[href="/console/traces/${traceId}"]) a:has(code.path)`);
    await request.waitFor();
    expect(await request.isVisible()).toBe(true);
    expect((await request.boundingBox())!.x + 10).toBeLessThan(PHONE.width);
    await request.click();
    await poll(() => page.locator('.wf-bar').count()).toBeGreaterThanOrEqual(20);
    await poll(() => page.locator('table.logs tbody tr').count()).toBeGreaterThanOrEqual(6);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await shot(page, 'console-waterfall-phone');
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('shows a poisoned event in the dead-letter queue with links to its trace and order, and the Replay button puts it back on its consumer’s queue', async () => {
    // A consumer of users that refuses the event until it is fixed, as a handler with a bug would.
    let fixed = false;
    const handled: string[] = [];
    await platform.platform.broker.subscribe('users.console-probe', ['ConsoleProbe'], async (event) => {
      if (!fixed) throw new Error('cannot handle ConsoleProbe yet');
      handled.push(event.id);
    });
    const poison: Envelope = {
      specversion: '1.0',
      id: randomUUID(),
      source: 'console-test',
      type: 'ConsoleProbe',
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      // Written inside the order's trace, about the order, as an order event is.
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      data: { orderId, note: 'poisoned on purpose' },
    };
    await platform.platform.broker.publish(poison);

    const { ctx, page, problems } = await context();
    await page.goto('/console/messaging');
    await logIn(page);
    await page.getByRole('heading', { name: 'Sagas, outbox and dead letters' }).waitFor();
    await page.getByRole('heading', { name: 'Dead letters (1)' }).waitFor();
    await poll(() => page.locator('.count.delivered dd').textContent()).toBe('1');
    await shot(page, 'console-messaging');
    // The letter leads to the trace that wrote it and to the order it is about.
    const letter = page.locator('.letter');
    expect(
      await letter.getByRole('link', { name: `Trace that wrote ConsoleProbe ${poison.id}` }).getAttribute('href'),
    ).toBe(`/console/traces/${traceId}`);
    expect(await letter.getByRole('link', { name: `Order ${orderId}` }).getAttribute('href')).toBe(
      `/console/orders/${orderId}`,
    );

    fixed = true;
    await page.getByRole('button', { name: `Replay ConsoleProbe ${poison.id} to users.console-probe` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Replayed ConsoleProbe ${poison.id}` })
      .waitFor();
    await page.getByRole('heading', { name: 'Dead letters (0)' }).waitFor();
    expect(handled).toEqual([poison.id]);
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('draws, in an order’s trace, the batch of another trace that carried its Reserve, marked as shared', async () => {
    const shopper = new Shopper(base);
    await shopper.signUp('Bilal Ahmed');
    const admin = new Shopper(base);
    await admin.logIn(ADMIN.email, ADMIN.password);
    // Orders placed at once share batches: find one whose Reserve went in another order's batch.
    let shared: string | undefined;
    for (let round = 0; round < 3 && !shared; round++) {
      const placed = await Promise.all(
        Array.from({ length: 8 }, () => shopper.order([{ sku: 'TEA-001', quantity: 1 }], { method: 'cod' })),
      );
      for (const p of placed) {
        const id = p.headers.get('x-trace-id')!;
        const { body } = await admin.call('GET', `/api/ops/traces/${id}`);
        if (body.linked.some((s: { name: string }) => s.name === 'inventory/Reserve batch')) shared = id;
      }
    }
    expect(shared).toBeDefined();

    const { ctx, page, problems } = await context();
    await page.goto(`/console/traces/${shared}`);
    await logIn(page);
    const batch = page.locator('.wf-row.shared .wf-label', { hasText: 'inventory/Reserve batch' });
    await batch.waitFor();
    expect(await batch.locator('.wf-badge').textContent()).toBe('shared');
    // Inventory's side of the batch is drawn too, shared like the batch.
    await page.locator('.wf-row.shared[data-service="inventory"] .wf-label', { hasText: 'grpc ReserveMany' }).waitFor();
    await batch.click();
    const note = page.locator('.wf-shared');
    await note.getByText(/a batch that carried \d+ calls/).waitFor();
    expect(await note.locator('a').getAttribute('href')).toMatch(/^\/console\/traces\/[0-9a-f]{32}$/);
    // The legend names every service drawn, those that worked for this order only in a shared batch included.
    const drawn = await page
      .locator('.wf-bar')
      .evaluateAll((bars) => [...new Set(bars.map((b) => (b as HTMLElement).dataset.service))].sort());
    expect((await page.locator('.trace-summary .legend .service-tag').allTextContents()).sort()).toEqual(drawn);
    await shot(page, 'console-waterfall-batch');
    expect(problems).toEqual([]);
    await ctx.close();
  });

  // After the messaging test, which counts the delivered orders: these place orders of their own.
  it('lists the latest orders with their totals, and opens one to its captured payment, shipment and traces', async () => {
    const admin = new Shopper(base);
    await admin.logIn(ADMIN.email, ADMIN.password);
    // More than a page of orders (20), so there is an older page; the one to open is the newest.
    await Promise.all(
      Array.from({ length: 20 }, () => admin.order([{ sku: 'RICE-001', quantity: 1 }], { method: 'cod' })),
    );
    // The one to open is a customer's, named in the list and on its page (not by a user id).
    const buyer = new Shopper(base);
    await buyer.signUp('Nadia Hussain');
    const placed = await buyer.order([{ sku: 'TEA-001', quantity: 3 }], { method: 'easypaisa', wallet: '03001234567' });
    expect(placed.status).toBe(201);
    const id: string = placed.body.id;
    const total = `Rs ${(placed.body.total.amount / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;

    const { ctx, page, problems } = await context();
    await page.goto('/console/orders');
    await logIn(page);
    await page.getByRole('heading', { name: 'Latest orders' }).waitFor();
    // The newest order heads the list, with its customer, total and payment.
    const first = page.locator('table.orders tbody tr').first();
    await first.locator(`a[href="/console/orders/${id}"]`).waitFor();
    expect(await first.textContent()).toContain(total);
    const customer = first.locator('td[data-label="Customer"] .customer');
    await poll(() => customer.textContent()).toBe('Nadia Hussain');
    expect(await customer.getAttribute('title')).toBe(placed.body.userId);
    expect(await first.textContent()).toContain('EasyPaisa');
    // Placed in Pakistan time, as the shop shows it, whatever the browser's own zone; the column says so.
    expect(await page.locator('table.orders thead th').first().textContent()).toBe('Placed (PKT)');
    const karachi = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Karachi',
      timeStyle: 'short',
      hourCycle: 'h23',
    });
    expect(await first.locator('td time').textContent()).toContain(karachi.format(new Date(placed.body.createdAt)));
    await shot(page, 'console-orders');

    // The status filter asks the API for that status only (the run's first orders are delivered by now).
    await page.getByLabel('Status').selectOption('DELIVERED');
    await page
      .locator('table.orders caption', { hasText: 'The latest DELIVERED orders' })
      .waitFor({ state: 'attached' });
    const statuses = await page.locator('table.orders tbody td[data-label="Status"]').allTextContents();
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set(['DELIVERED']));
    // Older pages follow nextCursor, and Newer comes back.
    await page.getByLabel('Status').selectOption('');
    await page.locator(`table.orders a[href="/console/orders/${id}"]`).waitFor();
    await page.getByRole('button', { name: 'Older →' }).click();
    await page.locator('.pager').getByText('Page 2', { exact: true }).waitFor();
    await poll(() => page.locator(`table.orders a[href="/console/orders/${id}"]`).count()).toBe(0);
    await page.getByRole('button', { name: '← Newer' }).click();
    await page.locator(`table.orders a[href="/console/orders/${id}"]`).waitFor();

    // A mistyped id is caught before anything is asked; a right one opens the order.
    await page.getByLabel('Open an order by its id').fill('12345');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('alert').filter({ hasText: 'Enter an order id' }).waitFor();
    await page.getByLabel('Open an order by its id').fill(id);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('heading', { name: `Order ${id}` }).waitFor();
    await poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await page.locator('.customer', { hasText: 'Nadia Hussain' }).waitFor();

    const payments = page.locator('table.payments tbody tr');
    await payments.first().waitFor();
    expect(await payments.count()).toBe(1);
    expect(await payments.locator('td[data-label="Status"]').textContent()).toBe('CAPTURED');
    expect(await payments.locator('td[data-label="Amount"]').textContent()).toBe(total);
    expect(await page.locator('table.lines tfoot').textContent()).toContain(total);
    // The courier moves it on: the shipment's history fills in while the page refreshes.
    await poll(() => page.locator('.history li').count(), 30_000).toBeGreaterThanOrEqual(2);
    await page.getByText('DELIVERED: final, not refreshing').waitFor({ timeout: 30_000 });
    const trace = page.locator(`.order-traces a[href="/console/traces/${placed.headers.get('x-trace-id')}"]`);
    await trace.waitFor();
    await shot(page, 'console-order');
    await trace.click();
    await page.getByRole('heading', { name: 'Waterfall' }).waitFor();
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('refreshes a PENDING order until it is final, then shows why it was rejected', async () => {
    const admin = new Shopper(base);
    await admin.logIn(ADMIN.email, ADMIN.password);
    const { ctx, page, problems } = await context();
    await page.goto('/console/orders');
    await logIn(page);
    await page.getByRole('heading', { name: 'Latest orders' }).waitFor();
    // The provider keeps this wallet waiting past the request's window: the order stays PENDING for a few seconds.
    const placing = admin.order([{ sku: 'TEA-001', quantity: 1 }], { method: 'jazzcash', wallet: '03000000003' });
    let id: string | undefined;
    await poll(async () => {
      id = (await admin.call('GET', '/api/orders?status=PENDING&limit=1')).body.items[0]?.id;
      return id;
    }).toBeDefined();
    await page.getByLabel('Open an order by its id').fill(id!);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.locator('.facts .pill', { hasText: 'PENDING' }).waitFor();
    await page.getByText('Refreshing every 2 s').waitFor();
    expect((await placing).status).toBe(202);
    await page.getByText('REJECTED: final, not refreshing').waitFor();
    expect(await page.locator('.notice').textContent()).toBe('Rejected: PAYMENT_TIMEOUT');
    await page.locator('table.payments tbody tr').first().waitFor();
    expect(await page.locator('table.payments td[data-label="Status"]').allTextContents()).not.toContain('CAPTURED');
    // Why: the provider did not answer in time, so payments asked what it held and reversed it.
    const calls = page.locator('table.provider-calls tbody tr');
    await calls.first().waitFor();
    expect((await calls.locator('td[data-label="Call"]').allTextContents()).slice(0, 3)).toEqual([
      'Authorise · jazzcash',
      'Inquire · jazzcash',
      'Reverse · jazzcash',
    ]);
    expect(await calls.first().locator('td[data-label="Result"]').textContent()).toBe('timeout');
    await shot(page, 'console-order-rejected');
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it("answers a mangled or unknown address with a page that explains, never the gateway's JSON; one of no page answers 404", async () => {
    // The browser's own line for the unknown order's 404, which the page explains.
    const { ctx, page, problems } = await context(DESKTOP, false, /status of 404/);
    await page.goto('/console');
    await logIn(page);
    const says: [string, number, string][] = [
      // A mangled id is one segment to the gateway, so it answers the page; the console cannot read it, and says so.
      ['/console/orders/%ZZ', 200, 'The console has no such page.'],
      ['/console/traces/%E0%A4%A', 200, 'The console has no such page.'],
      ['/console/traces/not-a-trace', 200, '“not-a-trace” is not a trace id'],
      ['/console/orders/ord_nope', 200, 'No order has this id.'],
      ['/console/orders/ord_nope.x', 200, 'No order has this id.'],
      ['/console/no-such-page', 404, 'The console has no such page.'],
      ['/console/orders/ord_nope/x', 404, 'The console has no such page.'],
    ];
    for (const [path, status, words] of says) {
      const answer = await page.goto(path);
      expect(answer?.status(), path).toBe(status);
      await poll(() => page.locator('main').textContent(), 5_000).toContain(words);
      expect(await page.locator('body').textContent(), path).not.toContain('"code"');
    }
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('shows the orders and an order at phone width without sideways scrolling', async () => {
    const { ctx, page, problems } = await context(PHONE, true);
    await page.goto('/console/orders');
    await logIn(page);
    await page.locator('table.orders tbody tr').first().waitFor();
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(1);
    await shot(page, 'console-orders-phone');
    await page.locator('table.orders a.row-link').first().click();
    await page.locator('table.payments tbody tr').first().waitFor();
    await page.locator('.order-traces li').first().waitFor();
    expect(await overflow()).toBeLessThanOrEqual(1);
    await shot(page, 'console-order-phone');
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('lets an admin add a product, edit its price, adjust its stock both ways, be refused in words, and find it', async () => {
    const admin = new Shopper(base);
    await admin.logIn(ADMIN.email, ADMIN.password);
    const sku = `CONSOLE-${randomUUID().slice(0, 6).toUpperCase()}`;
    const product = async () => (await admin.call('GET', `/api/products/${sku}`)).body;
    const ledger = async () => (await admin.call('GET', `/api/inventory/${sku}`)).body;

    const { ctx, page, problems } = await context(DESKTOP, false, REFUSED);
    await page.goto('/console/catalogue');
    await logIn(page);
    await page.getByRole('heading', { name: 'Catalogue and stock' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Console sections' });
    expect(await nav.getByRole('link', { name: 'Catalogue' }).getAttribute('aria-current')).toBe('page');
    // The seeded products are listed with their price and the ledger's counters, as the API has them.
    const tea = page.locator('table.catalogue tbody tr[data-sku="TEA-001"]');
    await tea.waitFor();
    const teaLevel = (await admin.call('GET', '/api/inventory/TEA-001')).body;
    const teaPrice = (await admin.call('GET', '/api/products/TEA-001')).body.price.amount;
    expect(await tea.locator('td[data-label="Price"]').textContent()).toBe(
      `Rs ${(teaPrice / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`,
    );
    expect(await tea.locator('td[data-label="Sold"]').textContent()).toBe(String(teaLevel.sold));

    // Add: a price with three decimals is caught before anything is sent, the focus on it.
    await page.getByRole('button', { name: 'Add product' }).click();
    const form = page.locator('form#add-product');
    await form.getByLabel('SKU').fill('bad sku');
    await form.getByLabel('Name', { exact: true }).fill('Saffron chai tin');
    await form.getByLabel('Price (Rs)').fill('1.999');
    await form.getByLabel('Opening stock').fill('10');
    await form.getByRole('button', { name: 'Add the product' }).click();
    await form.getByRole('alert').filter({ hasText: 'A price has at most two decimals (paisa).' }).waitFor();
    await poll(() => page.evaluate(() => document.activeElement?.id)).toBe('new-price');
    // The API's 400 is shown beside the field it names.
    await form.getByLabel('Price (Rs)').fill('1,499.50');
    await form.getByRole('button', { name: 'Add the product' }).click();
    await form.locator('#new-sku-error').getByText('Use upper-case letters, digits and hyphens').waitFor();
    await form.getByLabel('SKU').fill(sku);
    await form.getByRole('button', { name: 'Add the product' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${sku} added: Saffron chai tin, Rs 1,499.50, 10 on hand.` })
      .waitFor();
    expect(await product()).toMatchObject({
      sku,
      name: 'Saffron chai tin',
      price: { amount: 149950, currency: 'PKR' },
    });
    expect(await ledger()).toMatchObject({ onHand: 10, reserved: 0, available: 10, initial: 10 });
    const row = page.locator(`table.catalogue tbody tr[data-sku="${sku}"]`);
    const cell = (label: string) => row.locator(`td[data-label="${label}"]`).textContent();
    await poll(() => cell('On hand')).toBe('10');
    // The same sku again is refused in words.
    await page.getByRole('button', { name: 'Add product' }).click();
    await form.getByLabel('SKU').fill(sku);
    await form.getByLabel('Name', { exact: true }).fill('Another tin');
    await form.getByLabel('Price (Rs)').fill('10');
    await form.getByLabel('Opening stock').fill('1');
    await form.getByRole('button', { name: 'Add the product' }).click();
    await form
      .getByRole('alert')
      .filter({ hasText: `There is already a product with sku ${sku}` })
      .waitFor();
    await shot(page, 'console-catalogue');
    await form.getByRole('button', { name: 'Cancel' }).click();

    // Edit the price, typed with a thousands separator: exact paisa reach the API, the row shows it.
    await page.getByRole('button', { name: `Edit ${sku}` }).click();
    const rowForm = page.locator('tr.form-row form');
    expect(await rowForm.getByLabel('Price (Rs)').inputValue()).toBe('1499.50');
    await rowForm.getByLabel('Price (Rs)').fill('1,599.99');
    await rowForm.getByRole('button', { name: 'Save the product' }).click();
    await poll(() => cell('Price')).toBe('Rs 1,599.99');
    expect((await product()).price).toEqual({ amount: 159999, currency: 'PKR' });
    await poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Edit ${sku}`);

    // Up by a delivery of 5.
    await page.getByRole('button', { name: `Adjust stock of ${sku}` }).click();
    await rowForm.getByLabel('Change', { exact: true }).fill('+5');
    await rowForm.getByLabel('Reason', { exact: true }).fill('delivery');
    await rowForm.getByRole('button', { name: 'Save the change' }).click();
    await poll(() => cell('On hand')).toBe('15');
    expect(await ledger()).toMatchObject({ onHand: 15, available: 15, adjustments: 5 });

    // Down by 2, by keyboard alone: the form opens with the focus in its first field, Enter saves.
    await page.getByRole('button', { name: `Adjust stock of ${sku}` }).focus();
    await page.keyboard.press('Enter');
    await poll(() => page.evaluate(() => document.activeElement?.id)).toBe(`adjust-${sku}-delta`);
    await page.keyboard.type('-2');
    await page.keyboard.press('Tab');
    await page.keyboard.type('count');
    await page.keyboard.press('Enter');
    await poll(() => cell('On hand')).toBe('13');
    expect(await ledger()).toMatchObject({ onHand: 13, available: 13, adjustments: 3 });

    // An order being paid for holds 4 (as the saga reserves): no more than 9 may go, and the page says so.
    const hold = `ord_console_${randomUUID().slice(0, 8)}`;
    const reserve = await fetch(`${platform.urls.inventory}/internal/reservations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-internal-key': platform.platform.internalKey },
      body: JSON.stringify({ orderId: hold, lines: [{ sku, quantity: 4 }] }),
    });
    expect(reserve.status).toBe(200);
    await poll(() => cell('Reserved')).toBe('4');
    expect(await cell('Available')).toBe('9');
    await page.getByRole('button', { name: `Adjust stock of ${sku}` }).click();
    await rowForm.getByLabel('Change', { exact: true }).fill('-10');
    await rowForm.getByLabel('Reason', { exact: true }).fill('breakage');
    await rowForm.getByRole('button', { name: 'Save the change' }).click();
    await rowForm.getByRole('alert').filter({ hasText: 'Only 9 can be removed: 4 are reserved by orders.' }).waitFor();
    expect(await ledger()).toMatchObject({ onHand: 13, reserved: 4, adjustments: 3 });
    await shot(page, 'console-catalogue-conflict');
    await page.keyboard.press('Escape');
    await rowForm.waitFor({ state: 'detached' });

    // Found by a word of its name, alone; Show all brings the rest back.
    await page.getByLabel('Search the catalogue').fill('saffron');
    await page.getByRole('button', { name: 'Search' }).click();
    await page
      .locator('table.catalogue caption', { hasText: 'products matching “saffron”' })
      .waitFor({ state: 'attached' });
    expect(
      await page.locator('table.catalogue tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.sku)),
    ).toEqual([sku]);
    expect(await cell('Price')).toBe('Rs 1,599.99');
    await page.getByRole('button', { name: 'Show all' }).click();
    await tea.waitFor();

    const release = await fetch(`${platform.urls.inventory}/internal/reservations/${hold}/release`, {
      method: 'POST',
      headers: { 'x-internal-key': platform.platform.internalKey },
    });
    expect(release.status).toBe(200);
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('shows the catalogue and a product’s form at phone width without sideways scrolling', async () => {
    const { ctx, page, problems } = await context(PHONE, true);
    await page.goto('/console/catalogue');
    await logIn(page);
    await page.locator('table.catalogue tbody tr[data-sku="TEA-001"]').waitFor();
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(1);
    await page.getByRole('button', { name: 'Edit TEA-001' }).click();
    await page.locator('tr.form-row form').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(1);
    await shot(page, 'console-catalogue-phone');
    expect(problems).toEqual([]);
    await ctx.close();
  });
});
