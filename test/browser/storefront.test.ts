// The storefront as a shopper and an admin use it: Debian's Chromium (headless, through playwright-core) against
// the whole platform embedded on free ports. Screenshots of every step land in test-results/screenshots/.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedded } from '../../apps/cli/src/embedded.ts';
import { buildApp, launchChromium, openPage, PHONE, screenshot as shot } from '../support/browser.ts';
import { ADMIN, startTestPlatform } from '../support/platform.ts';

const DESKTOP = { width: 1280, height: 860 };

const browser = await launchChromium('storefront');

let platform: Embedded;
let base: string;

async function api(path: string, body?: unknown, token?: string) {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** A customer made through the API, for scenarios that are not about signing up. */
async function newCustomer(name = 'Bilal Ahmed') {
  const user = {
    name,
    email: `b-${randomUUID().slice(0, 8)}@example.pk`,
    password: 'secret-123',
    phone: '03011112222',
    city: 'Lahore',
  };
  expect((await api('/api/users', user)).status).toBe(201);
  return user;
}

/** A fresh browser context on the platform; the browser's own line for a 4xx the page explains is not a problem. */
const context = (viewport = DESKTOP, options: { isMobile?: boolean } = {}) =>
  openPage(browser!, { baseURL: base, viewport, isMobile: options.isMobile, expected: /status of (4\d\d)/ });

/** poll retries an expectation until it holds: pages answer after the platform does, on a shared, busy machine. */
const poll = <T>(actual: () => T, options: { timeout?: number } = {}) =>
  expect.poll(actual, { timeout: 10_000, ...options });

async function logIn(page: Page, email: string, password: string) {
  await page.getByRole('link', { name: 'Log in' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await poll(() => page.getByRole('button', { name: /^Log out/ }).isVisible()).toBe(true);
}

/** From the home page: logged in, a bag of Hunza dried apricots in the cart, at the checkout with a Lahore address. */
async function toLahoreCheckout(page: Page, user: { email: string; password: string }, address: string) {
  await page.goto('/');
  await logIn(page, user.email, user.password);
  await page.getByRole('button', { name: /^Add to cart: Hunza dried apricots/ }).click();
  await page.getByRole('link', { name: /^Cart/ }).click();
  await page.getByRole('link', { name: 'Check out' }).click();
  await page.getByLabel('City').selectOption('Lahore');
  await page.getByLabel('Address').fill(address);
}

/** contrast is the WCAG contrast ratio of two computed colours, `rgb(r, g, b)`: 4.5 and more reads well. */
function contrast(a: string, b: string): number {
  const luminance = (colour: string) => {
    const [r, g, b] = (colour.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((c) => {
      const v = Number(c) / 255;
      return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

/** Presses Tab until the focused element matches, as a keyboard user would: fails if it is never reached. */
async function tabTo(
  page: Page,
  matches: (el: { tag: string; name: string; label: string; type: string }) => boolean,
  max = 60,
) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluate(() => {
      const a = document.activeElement as HTMLElement | null;
      if (!a) return { tag: '', name: '', label: '', type: '' };
      const labelled = a.id ? (document.querySelector(`label[for="${a.id}"]`)?.textContent ?? '') : '';
      return {
        tag: a.tagName.toLowerCase(),
        name: (a.getAttribute('aria-label') ?? a.textContent ?? '').trim(),
        label: labelled.trim(),
        type: a.getAttribute('type') ?? '',
      };
    });
    if (matches(el)) return;
  }
  throw new Error('the keyboard never reached the element');
}

describe.skipIf(!browser)('storefront in the browser', () => {
  beforeAll(async () => {
    await buildApp('storefront');
    // A courier step long enough that a busy machine still shows CONFIRMED before the parcel is picked up.
    platform = await startTestPlatform({ courierStepMs: 1_000 });
    base = platform.gatewayUrl;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('a new customer signs up, buys two products with JazzCash, watches the order reach DELIVERED live, and finds it in the history', async () => {
    // The first page, cold (a fresh browser context, nothing cached), shows the catalogue and marks the moment it
    // was ready once: the mark the bench's startup scenario reads to time it (the speed check lives there).
    const cold = await context();
    await cold.page.goto('/');
    await cold.page.locator('html[data-ready="true"]').waitFor();
    await poll(() => cold.page.getByRole('list', { name: 'Products' }).getByRole('listitem').count()).toBeGreaterThan(
      0,
    );
    expect(await cold.page.evaluate(() => performance.getEntriesByName('bazaar:ready').length)).toBe(1);
    expect(cold.problems).toEqual([]);
    await cold.ctx.close();

    const { ctx, page, problems } = await context();
    await page.goto('/');
    await page.locator('html[data-ready="true"]').waitFor();
    await poll(() => page.getByRole('list', { name: 'Products' }).getByRole('listitem').count()).toBeGreaterThanOrEqual(
      8,
    );
    await poll(() => page.locator('.price').first().textContent()).toMatch(/^Rs \d{1,3}(,\d{3})*(\.\d\d)?$/);
    // The header's content lines up with the page's, left and right.
    const edges = await page.evaluate(() => {
      const inner = (selector: string) => {
        const el = document.querySelector(selector)!;
        const box = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        return [box.left + Number.parseFloat(style.paddingLeft), box.right - Number.parseFloat(style.paddingRight)];
      };
      return { header: inner('.site-header'), main: inner('main'), brand: inner('.brand')[0] };
    });
    expect(edges.header).toEqual(edges.main);
    expect(edges.brand).toBe(edges.main[0]);
    await shot(page, 'desktop-01-home');

    // Sign up from the header.
    const email = `ayesha-${randomUUID().slice(0, 8)}@example.pk`;
    await page.getByRole('link', { name: 'Sign up' }).click();
    await page.getByLabel('Full name').fill('Ayesha Khan');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await poll(() => page.getByText('Use at least 8 characters.').isVisible()).toBe(true);
    await page.getByLabel('Password').fill('secret-123');
    await page.getByLabel('Mobile number (optional)').fill('0300 1234567');
    // The cities are listed by name (the form shows no fees to order them by).
    await poll(() => page.getByLabel('City (optional)').locator('option').count()).toBeGreaterThan(2);
    const cities = (await page.getByLabel('City (optional)').locator('option').allTextContents()).filter(Boolean);
    expect(cities.slice(1)).toEqual([...cities.slice(1)].sort((a, b) => a.localeCompare(b)));
    await page.getByLabel('City (optional)').selectOption('Karachi');
    await page.getByRole('button', { name: 'Create account' }).click();
    await poll(() => page.getByText('Welcome to Bazaar, Ayesha Khan!').isVisible()).toBe(true);
    await shot(page, 'desktop-02-signed-up');

    // Search, and add the first product from the results.
    const search = page.getByRole('searchbox', { name: 'Search products' });
    await search.fill('lawn');
    await page.getByRole('button', { name: 'Search' }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Results for “lawn”');
    // What was searched stays in the box, readable: not the header's white text on the box's white.
    expect(await search.inputValue()).toBe('lawn');
    const colours = await search.evaluate((box) => ({
      text: getComputedStyle(box).color,
      placeholder: getComputedStyle(box, '::placeholder').color,
      background: getComputedStyle(box).backgroundColor,
    }));
    expect(colours.text).not.toBe(colours.background);
    expect(contrast(colours.text, colours.background)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(colours.placeholder, colours.background)).toBeGreaterThanOrEqual(4.5);
    await page.getByRole('button', { name: /^Add to cart: Embroidered lawn suit/ }).click();
    await poll(() => page.getByTestId('cart-count').textContent()).toContain('1');
    await shot(page, 'desktop-03-search');

    // A product page: availability, then two of it.
    await page.getByRole('link', { name: 'Show all products' }).click();
    await page.getByRole('link', { name: 'Ajrak shawl' }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Ajrak shawl');
    await poll(() => page.getByText(/In stock \(\d+ available\)|Only \d+ left/).isVisible()).toBe(true);
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Add to cart: Ajrak shawl' }).click();
    await poll(() => page.getByTestId('cart-count').textContent()).toContain('3');
    await shot(page, 'desktop-04-product');

    // The cart outlives a reload.
    await page.reload();
    await poll(() => page.getByTestId('cart-count').textContent()).toContain('3');
    await page.getByRole('link', { name: /^Cart/ }).click();
    await poll(() => page.getByRole('list', { name: 'Items in your cart' }).getByRole('listitem').count()).toBe(2);
    await shot(page, 'desktop-05-cart');

    // Checkout: Karachi's fee, an address, the phone from the account, JazzCash.
    await page.getByRole('link', { name: 'Check out' }).click();
    await poll(() => page.getByLabel('City').inputValue()).toBe('Karachi');
    await poll(() => page.getByTestId('checkout-total').textContent()).toBe('Rs 10,550');
    await page.getByLabel('Address').fill('House 12, Street 4, Clifton Block 5');
    await poll(() => page.getByLabel('Phone').inputValue()).toBe('03001234567');
    await page.getByRole('radio', { name: 'JazzCash' }).check();
    await page.getByLabel('JazzCash wallet number').fill('03001234567');
    await shot(page, 'desktop-06-checkout');

    // Watch the status change in place: the same document (no reload) sees every status arrive.
    await page.evaluate(() => {
      const w = window as unknown as { seen: string[]; sameDocument: boolean };
      w.seen = [];
      w.sameDocument = true;
      new MutationObserver(() => {
        const status = document.querySelector('[data-testid="order-status"]')?.getAttribute('data-status');
        if (status && w.seen.at(-1) !== status) w.seen.push(status);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
    });
    await page.getByRole('button', { name: /^Place order · Rs 10,550$/ }).click();
    await page.waitForURL(/\/orders\/ord_/);
    const orderUrl = page.url().split('?')[0];
    await page.getByTestId('order-status').waitFor();
    await shot(page, 'desktop-07-order-confirmed');
    await poll(() => page.getByTestId('order-status').getAttribute('data-status'), { timeout: 20_000 }).toBe(
      'DELIVERED',
    );
    const seen = await page.evaluate(() => {
      const w = window as unknown as { seen: string[]; sameDocument?: boolean };
      return { seen: w.seen, sameDocument: w.sameDocument };
    });
    expect(seen.sameDocument).toBe(true);
    expect(seen.seen).toEqual(expect.arrayContaining(['CONFIRMED', 'SHIPPED', 'DELIVERED']));
    expect(await page.getByText(/Tracking number/).textContent()).toMatch(/BEX|TCS|LEO|[A-Z]{2,}\d+/);
    await shot(page, 'desktop-08-order-delivered');

    // The history lists it, delivered; public tracking follows the parcel by its number.
    await page.getByRole('link', { name: 'My orders' }).click();
    const row = page.getByRole('list', { name: 'Your orders, newest first' }).getByRole('listitem').first();
    await poll(() => row.textContent()).toContain('Delivered');
    expect(await row.textContent()).toContain('Rs 10,550');
    expect(`${base}${await row.getByRole('link', { name: /^Order / }).getAttribute('href')}`).toBe(orderUrl);
    await shot(page, 'desktop-09-history');
    await row.getByRole('link', { name: /^Track / }).click();
    await poll(() => page.getByRole('list', { name: 'Parcel history' }).getByRole('listitem').count()).toBe(5);
    await shot(page, 'desktop-10-tracking');

    expect(problems).toEqual([]);
    await ctx.close();
  }, 90_000);

  it('a declined EasyPaisa wallet shows the decline, charges nothing and keeps the cart', async () => {
    const user = await newCustomer();
    const { ctx, page, problems } = await context();
    await toLahoreCheckout(page, user, '7 Mall Road');
    await page.getByRole('radio', { name: 'EasyPaisa' }).check();
    await page.getByLabel('EasyPaisa wallet number').fill('03000000002');
    await page.getByRole('button', { name: /^Place order/ }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'declined' });
    await poll(() => alert.textContent()).toContain('EasyPaisa declined the payment');
    expect(await alert.textContent()).toContain('Nothing was charged');
    expect(page.url()).toMatch(/\/checkout$/);
    expect(await page.getByTestId('cart-count').textContent()).toContain('1');
    // Focus moved to the message, so keyboard and screen-reader users learn what happened.
    await poll(() => page.evaluate(() => document.activeElement?.classList.contains('alert') ?? false)).toBe(true);
    await shot(page, 'desktop-11-declined');
    // The order history says why the order was not placed, not only that it was not.
    await page.getByRole('link', { name: 'My orders' }).click();
    const row = page.getByRole('list', { name: 'Your orders, newest first' }).getByRole('listitem').first();
    await poll(() => row.textContent()).toContain('Not placed');
    expect(await row.textContent()).toContain('EasyPaisa declined the payment. Nothing was charged.');
    expect(problems).toEqual([]);
    await ctx.close();
  }, 60_000);

  it('JazzCash alone offers the optional CNIC field, checks it inline, and the order never shows it', async () => {
    const user = await newCustomer('Cnic Shopper');
    const { ctx, page, problems } = await context();
    await toLahoreCheckout(page, user, '9 Mall Road');
    const cnic = page.getByLabel('CNIC, last 6 digits (optional)');
    for (const [method, shown] of [
      ['EasyPaisa', false],
      ['Cash on delivery', false],
      ['JazzCash', true],
    ] as const) {
      await page.getByRole('radio', { name: method }).check();
      await poll(() => cnic.isVisible()).toBe(shown);
    }
    await page.getByLabel('JazzCash wallet number').fill('03001234567');
    // Five digits: an inline error tied to the field, which takes the focus; nothing is sent.
    await cnic.fill('12345');
    await page.getByRole('button', { name: /^Place order/ }).click();
    await poll(() => cnic.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await cnic.getAttribute('aria-describedby'))?.split(' ') ?? [];
    expect(describedBy).toEqual(['checkout-cnic-error', 'checkout-cnic-hint']);
    expect(await page.locator('#checkout-cnic-error').textContent()).toBe(
      'Enter the last 6 digits of your CNIC, or leave it empty.',
    );
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('checkout-cnic');
    expect(page.url()).toMatch(/\/checkout$/);
    await shot(page, 'desktop-11b-cnic-invalid');
    await cnic.fill('345678');
    await page.getByRole('button', { name: /^Place order/ }).click();
    await page.waitForURL(/\/orders\/ord_/);
    await page.getByTestId('order-status').waitFor();
    expect(await page.content()).not.toContain('345678');
    expect(problems).toEqual([]);
    await ctx.close();
  }, 60_000);

  it('a wallet that does not answer in time shows the wait, then the timeout, live', async () => {
    const user = await newCustomer('Pending Shopper');
    const { ctx, page, problems } = await context();
    await page.goto('/');
    await logIn(page, user.email, user.password);
    await page.getByRole('button', { name: /^Add to cart: Kashmiri tea/ }).click();
    await page.goto('/checkout');
    await page.getByLabel('Address').fill('22 Jail Road');
    await page.getByLabel('JazzCash wallet number').fill('03000000003');
    await page.getByRole('button', { name: /^Place order/ }).click();
    // 202: the order is placed but undecided; its page says so and follows the stream to the end.
    await page.waitForURL(/\/orders\/ord_/, { timeout: 20_000 });
    const status = page.getByTestId('order-status');
    await poll(() => status.textContent()).toContain('Waiting for payment confirmation from JazzCash');
    await shot(page, 'desktop-14-pending');
    await poll(() => status.getAttribute('data-status'), { timeout: 20_000 }).toBe('REJECTED');
    // The reason shows with the status itself: the stream's detail carries it before the order is read again.
    expect(await status.textContent()).toContain('JazzCash did not confirm the payment in time. Nothing was charged.');
    // The timeline does not say it was placed and not placed.
    expect(await page.getByRole('list', { name: 'Order progress' }).locator('.step-label').allTextContents()).toEqual([
      'Done: Order received',
      'Current: Not placed',
    ]);
    await shot(page, 'desktop-15-payment-timeout');

    // The cart was emptied when the order was taken; meanwhile the shopper put something else in it. One press puts
    // the order's items back beside it.
    expect(await page.getByTestId('cart-count').textContent()).toContain('0');
    const orderUrl = page.url();
    await page.goto('/');
    await page.getByRole('button', { name: /^Add to cart: Hunza dried apricots/ }).click();
    await poll(() => page.getByTestId('cart-count').textContent()).toContain('1');
    await page.goto(orderUrl);
    await page.getByRole('button', { name: 'Put these items back in my cart' }).click();
    await page.waitForURL(/\/cart$/);
    const lines = page.getByRole('list', { name: 'Items in your cart' }).getByRole('listitem');
    await poll(() => lines.count()).toBe(2);
    expect(await lines.allTextContents()).toEqual([
      expect.stringContaining('Hunza dried apricots'),
      expect.stringContaining('Kashmiri tea'),
    ]);
    expect(await page.getByTestId('cart-count').textContent()).toContain('2');
    expect(problems).toEqual([]);
    await ctx.close();
  }, 60_000);

  it('logging out empties the cart: the next person to log in on the device does not get it', async () => {
    const user = await newCustomer('Shared Device');
    const { ctx, page, problems } = await context();
    await page.goto('/');
    await logIn(page, user.email, user.password);
    await page.getByRole('button', { name: /^Add to cart: Kashmiri tea/ }).click();
    await poll(() => page.getByTestId('cart-count').textContent()).toContain('1');
    await page.getByRole('button', { name: /^Log out/ }).click();
    await poll(() => page.getByTestId('cart-count').textContent()).toContain('0');
    expect(await page.evaluate(() => localStorage.getItem('bazaar.cart.v1'))).toBeNull();
    await logIn(page, ADMIN.email, ADMIN.password);
    await page.getByRole('link', { name: /^Cart/ }).click();
    await poll(() => page.getByText('Your cart is empty.').isVisible()).toBe(true);
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('an order page reads the order once and again only for a newer status; an unknown id is one request and "not found"', async () => {
    const user = await newCustomer('Returning Buyer');
    const token = (await api('/api/auth/login', { email: user.email, password: user.password })).body.accessToken;
    const { ctx, page, problems } = await context();
    await page.goto('/');
    await logIn(page, user.email, user.password);
    const reads: string[] = [];
    page.on('request', (r) => {
      const { pathname } = new URL(r.url());
      if (r.method() === 'GET' && pathname.startsWith('/api/orders/')) reads.push(pathname);
    });

    // A confirmed order: its stream replays PENDING and CONFIRMED, neither newer than the order read on load.
    const placed = await api(
      '/api/orders',
      {
        items: [{ sku: 'TEA-001', quantity: 1 }],
        payment: { method: 'cod' },
        shipping: { city: 'Lahore', address: '3 Canal Road', phone: '03011112222' },
      },
      token,
    );
    expect(placed.body.status).toBe('CONFIRMED');
    const orderPath = `/api/orders/${placed.body.id}`;
    await page.goto(`/orders/${placed.body.id}`);
    // The times of the steps come from the stream only: once Confirmed has one, the replay is in.
    await page.locator('.step--done', { hasText: 'Confirmed' }).locator('.step-time').waitFor();
    await page.waitForTimeout(500);
    const orderReads = reads.filter((path) => path === orderPath).length;
    expect(reads).toContain(`${orderPath}/events`);
    // Read after the count: a status it shows came before the count's re-read, if any.
    const shown = (await page.getByTestId('order-status').getAttribute('data-status'))!;
    const newer = ['CONFIRMED', 'SHIPPED', 'DELIVERED'].indexOf(shown);
    expect(newer, shown).toBeGreaterThanOrEqual(0);
    // Once; once more for each newer status the stream brought (SHIPPED, if the courier picked the parcel up).
    if (newer === 0) expect(orderReads).toBe(1);
    else expect(orderReads, `showing ${shown}`).toBeLessThanOrEqual(1 + newer);

    // An unknown id: the order's 404 and nothing more, no event stream.
    reads.length = 0;
    const unknown = `ord_${randomUUID().replaceAll('-', '')}`;
    await page.goto(`/orders/${unknown}`);
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Order not found');
    expect(await page.getByRole('alert').textContent()).toContain('There is no such order in your account.');
    await page.waitForTimeout(500);
    expect(reads).toEqual([`/api/orders/${unknown}`]);
    expect(problems).toEqual([]);
    await ctx.close();
  }, 60_000);

  it('a cancelled order offers no tracking: its page and the order list say it was cancelled instead', async () => {
    const user = await newCustomer('Changed Mind');
    const token = (await api('/api/auth/login', { email: user.email, password: user.password })).body.accessToken;
    // Cancelled once its shipment has a tracking number and before the courier picks it up (a step is a second).
    let cancelled: { id: string; shipping: { trackingNumber?: string } } | undefined;
    for (let attempt = 0; attempt < 3 && !cancelled; attempt++) {
      const placed = await api(
        '/api/orders',
        {
          items: [{ sku: 'TEA-001', quantity: 1 }],
          payment: { method: 'cod' },
          shipping: { city: 'Lahore', address: '9 Jail Road', phone: '03011112222' },
        },
        token,
      );
      await poll(
        async () => (await api(`/api/orders/${placed.body.id}`, undefined, token)).body.shipping.trackingNumber,
        {
          timeout: 5_000,
        },
      ).toBeTruthy();
      const answer = await api(`/api/orders/${placed.body.id}/cancel`, {}, token);
      if (answer.status === 200) cancelled = answer.body;
    }
    const trackingNumber = cancelled?.shipping.trackingNumber;
    expect(trackingNumber).toBeTruthy();

    const { ctx, page, problems } = await context();
    await page.goto('/');
    await logIn(page, user.email, user.password);
    await page.getByRole('link', { name: 'My orders' }).click();
    // The list names an order by the first 8 characters of its id, as the page does.
    const row = page.locator('.order-row', { hasText: cancelled!.id.slice(4, 12).toUpperCase() });
    await poll(() => row.textContent()).toContain('Cancelled before it shipped');
    expect(await row.getByRole('link', { name: /^Track/ }).count()).toBe(0);

    await row.getByRole('link', { name: /^Order / }).click();
    await poll(() => page.getByTestId('order-status').getAttribute('data-status')).toBe('CANCELLED');
    expect(await page.getByTestId('no-parcel').textContent()).toContain('no parcel to track');
    expect(await page.getByRole('link', { name: 'Track the parcel' }).count()).toBe(0);
    expect(await page.locator('main').textContent()).not.toContain(trackingNumber);
    expect(problems).toEqual([]);
    await ctx.close();
  }, 60_000);

  it("a mangled or unknown address shows a page that explains, never the API's JSON; one of no page answers 404", async () => {
    const user = await newCustomer('Link Follower');
    const { ctx, page, problems } = await context();
    await page.goto('/');
    await logIn(page, user.email, user.password);
    const says: [string, number, string][] = [
      ['/products/%ZZ', 200, 'There is no product %ZZ.'],
      ['/products/garbage.x', 200, 'There is no product garbage.x.'],
      ['/orders/%E0%A4%A', 200, 'There is no such order in your account.'],
      ['/orders/not.a.uuid', 200, 'There is no such order in your account.'],
      ['/track/%ZZ', 200, 'No parcel has the tracking number %ZZ.'],
      ['/track/%00', 200, 'No parcel has the tracking number'],
      ['/no-such-page', 404, 'There is nothing at this address.'],
      ['/products/a/b', 404, 'There is nothing at this address.'],
    ];
    for (const [path, status, words] of says) {
      const answer = await page.goto(path);
      expect(answer?.status(), path).toBe(status);
      await poll(() => page.locator('main').textContent(), { timeout: 5_000 }).toContain(words);
      expect(await page.locator('body').textContent(), path).not.toContain('"code"');
    }
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('an item that sells out during checkout is explained, and the cart shows what is left', async () => {
    const admin = (await api('/api/auth/login', ADMIN)).body.accessToken as string;
    const sku = `LAST-${randomUUID().slice(0, 4).toUpperCase()}`;
    const created = await api(
      '/api/inventory',
      { sku, name: 'Last few clay cups', price: { amount: 45000, currency: 'PKR' }, quantity: 3 },
      admin,
    );
    expect(created.status).toBe(201);
    const user = await newCustomer('Late Shopper');
    const { ctx, page, problems } = await context();
    await page.goto('/');
    await logIn(page, user.email, user.password);
    await page.goto(`/products/${sku}`);
    await page.getByLabel('Quantity').fill('3');
    await page.getByRole('button', { name: 'Add to cart: Last few clay cups' }).click();
    // All there is is in the cart: a second press says so, and adds nothing.
    await page.getByRole('button', { name: 'Added to cart: Last few clay cups' }).waitFor();
    await page.getByRole('button', { name: 'Added to cart: Last few clay cups' }).click();
    await page.getByRole('button', { name: 'No more to add: Last few clay cups' }).waitFor();
    await page.goto('/cart');
    const quantity = page.locator(`#qty-${sku}`);
    await poll(() => quantity.inputValue()).toBe('3');
    // A box emptied by mistake keeps the line and its quantity.
    await quantity.fill('');
    await quantity.press('Tab');
    await poll(() => quantity.inputValue()).toBe('3');
    // Bazaar out of reach: the cart says it cannot check the stock, and never that the product is no longer sold.
    await page.route('**/api/products/**', (route) => route.abort());
    await page.reload();
    await page.getByText('Cannot reach Bazaar to check the stock of your cart.', { exact: false }).waitFor();
    expect(await page.getByText('no longer sold').count()).toBe(0);
    await page.unroute('**/api/products/**');
    problems.splice(0, problems.length, ...problems.filter((p) => !/Failed to load resource/.test(p)));
    await page.goto('/checkout');
    await page.getByLabel('Address').fill('5 Gulberg III');
    await page.getByRole('radio', { name: 'Cash on delivery' }).check();
    // Someone else buys two while this shopper types.
    expect(
      (await api(`/api/inventory/${sku}/adjustments`, { delta: -2, reason: 'Sold in the shop' }, admin)).status,
    ).toBe(200);
    await page.getByRole('button', { name: /^Place order/ }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'sold out' });
    await poll(() => alert.isVisible()).toBe(true);
    await poll(() => page.getByText('Some items are not available in the quantity you chose.').isVisible()).toBe(true);
    await page.getByRole('link', { name: 'Change your cart' }).click();
    await poll(() => page.getByText('Only 1 left. Lower the quantity to check out.').isVisible()).toBe(true);
    await shot(page, 'desktop-16-sold-out');
    await page.getByRole('button', { name: 'Change to 1' }).click();
    await poll(() => page.getByRole('link', { name: 'Check out' }).isVisible()).toBe(true);
    expect(problems).toEqual([]);
    await ctx.close();
  }, 60_000);

  it('an admin adds a product and restocks one, and sees the new stock', async () => {
    const { ctx, page, problems } = await context();
    await page.goto('/');
    await logIn(page, ADMIN.email, ADMIN.password);
    await page.getByRole('link', { name: 'Admin' }).click();
    const row = page.locator('tr[data-sku="BAT-001"]');
    await row.waitFor();
    const onHand = Number(await row.locator('[data-col="on-hand"]').textContent());
    const available = Number(await row.locator('[data-col="available"]').textContent());
    await row.getByLabel(/Quantity to add to/).fill('7');
    await row.getByLabel(/Reason for changing/).fill('Shipment from Sialkot');
    await row.getByRole('button', { name: /^Update stock/ }).click();
    await poll(() => row.locator('[data-col="on-hand"]').textContent()).toBe(String(onHand + 7));
    expect(Number(await row.locator('[data-col="available"]').textContent())).toBe(available + 7);
    await poll(() => page.getByText(/stock increased by 7/).isVisible()).toBe(true);
    await shot(page, 'desktop-12-admin-restocked');

    const sku = `KURTA-${randomUUID().slice(0, 4).toUpperCase()}`;
    await page.getByLabel('SKU').fill(sku);
    await page.getByLabel('Name', { exact: true }).fill('Cotton kurta, white');
    // A price past the catalogue's limit is said beside its field, which takes the cursor.
    await page.getByLabel('Price (Rs)').fill('999999999');
    await page.getByRole('button', { name: 'Add product' }).click();
    await page.getByText('Enter a price up to Rs 100,000,000.').waitFor();
    await poll(() => page.evaluate(() => document.activeElement?.id)).toBe('new-price');
    await page.getByLabel('Price (Rs)').fill('2,499.50');
    await page.getByLabel('Stock on hand').fill('15');
    await page.getByRole('button', { name: 'Add product' }).click();
    const created = page.locator(`tr[data-sku="${sku}"]`);
    await created.waitFor();
    expect(await created.textContent()).toContain('Rs 2,499.50');
    expect(await created.locator('[data-col="available"]').textContent()).toBe('15');
    const product = await api(`/api/products/${sku}`);
    expect(product.body.price).toEqual({ amount: 249950, currency: 'PKR' });

    // Taking away more than is there says how much may go.
    await created.getByLabel(/Quantity to add to/).fill('-100');
    await created.getByLabel(/Reason for changing/).fill('Stock count');
    await created.getByRole('button', { name: /^Update stock/ }).click();
    await poll(() =>
      page.getByText('At most 15 can be taken away: 15 on hand, 0 reserved by open orders.').isVisible(),
    ).toBe(true);

    // The admin's list of every order says whose each one is, by name.
    const buyer = await newCustomer('Listed Buyer');
    const token = (await api('/api/auth/login', { email: buyer.email, password: buyer.password })).body.accessToken;
    const order = {
      items: [{ sku, quantity: 1 }],
      payment: { method: 'cod' },
      shipping: { city: 'Lahore', address: '12 Mall Road', phone: '03011112222' },
    };
    const placed = await api('/api/orders', order, token);
    expect(placed.status).toBe(201);
    await page.goto('/orders');
    await page.getByRole('heading', { name: 'All orders' }).waitFor();
    await poll(() => page.locator('.order-row').first().textContent()).toContain('customer Listed Buyer');

    // The operations console is one link away: its own app, with its own login (it links back: console.test.ts).
    await page.getByRole('link', { name: 'Operations console' }).click();
    await page.waitForURL(/\/console$/);
    await page.getByRole('heading', { name: 'Log in to the console' }).waitFor();
    expect(problems).toEqual([]);
    await ctx.close();
  }, 60_000);

  it("an admin reads a customer's order in the admin's words: her name, never 'your parcel' or 'my cart'", async () => {
    const buyer = await newCustomer('Ayesha Khan');
    const token = (await api('/api/auth/login', { email: buyer.email, password: buyer.password })).body.accessToken;
    const shipping = { city: 'Karachi', address: '12 Clifton Block 5', phone: '03011112222' };
    const items = [{ sku: 'TEA-001', quantity: 2 }];
    const cod = await api('/api/orders', { items, payment: { method: 'cod' }, shipping }, token);
    expect(cod.status).toBe(201);
    const declined = await api(
      '/api/orders',
      { items, payment: { method: 'easypaisa', wallet: '03000000002' }, shipping },
      token,
    );
    expect(declined.body.code).toBe('PAYMENT_DECLINED');
    const short = (id: string) => id.slice(4, 12).toUpperCase();

    const { ctx, page, problems } = await context();
    await page.goto('/');
    await logIn(page, ADMIN.email, ADMIN.password);
    await page.getByRole('link', { name: 'All orders' }).click();
    await page.getByRole('list', { name: 'All orders, newest first' }).waitFor();
    // Her order page names her and speaks of her, never to her: no 'your parcel', 'pay in cash', 'my cart'.
    await page
      .locator('.order-row', { hasText: short(cod.body.id) })
      .getByRole('link', { name: /^Order / })
      .click();
    const heading = `Ayesha Khan’s order ${short(cod.body.id)}`;
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
    // The title follows the heading once Preact runs its effects, a frame later on a busy machine.
    await poll(() => page.title()).toBe(`${heading} · Bazaar`);
    await poll(() => page.getByTestId('order-status').textContent()).toMatch(/parcel/);
    expect(await page.locator('main').textContent()).not.toMatch(/\byour\b|\bmy\b|\bpay\b|thank you/i);
    await page.getByRole('link', { name: 'All orders', exact: true }).last().waitFor();
    await shot(page, 'desktop-13-admin-customer-order');

    // Her declined order is not the admin's to put back in a cart.
    await page.goto(`/orders/${declined.body.orderId}`);
    await poll(() => page.getByTestId('order-status').textContent()).toContain('EasyPaisa declined the payment');
    expect(await page.getByRole('button', { name: /back in my cart/ }).count()).toBe(0);
    expect(await page.locator('main').textContent()).not.toMatch(/\byour\b|\bmy\b/i);
    expect(problems).toEqual([]);
    await ctx.close();
  }, 60_000);

  it("an admin cancels a customer's order on a phone: the question names her, and the keyboard lands on the outcome", async () => {
    const buyer = await newCustomer('Ayesha Khan');
    const token = (await api('/api/auth/login', { email: buyer.email, password: buyer.password })).body.accessToken;
    const shipping = { city: 'Karachi', address: '12 Clifton Block 5', phone: '03011112222' };
    const placed = await api(
      '/api/orders',
      { items: [{ sku: 'TEA-001', quantity: 1 }], payment: { method: 'cod' }, shipping },
      token,
    );
    expect(placed.status).toBe(201);
    // The order held at CONFIRMED, as the courier's one-second steps would ship it before a browser could cancel it.
    const order = placed.body;
    const { ctx, page, problems } = await context(PHONE, { isMobile: true });
    await page.route(`**/api/orders/${order.id}`, (route) => route.fulfill({ json: order }));
    await page.route(`**/api/orders/${order.id}/events`, (route) =>
      route.fulfill({
        contentType: 'text/event-stream',
        body: `data: ${JSON.stringify({ status: 'CONFIRMED', at: order.updatedAt })}\n\n`,
      }),
    );
    await page.route(`**/api/orders/${order.id}/cancel`, (route) =>
      route.fulfill({ json: { ...order, status: 'CANCELLED', payment: { ...order.payment, status: 'VOIDED' } } }),
    );
    await page.goto('/');
    await logIn(page, ADMIN.email, ADMIN.password);
    await page.goto(`/orders/${order.id}`);
    await poll(() => page.getByTestId('order-status').textContent()).toContain(
      'The parcel is being handed to the courier. Ayesha Khan pays Rs 1,400 in cash on delivery.',
    );
    await page.getByRole('button', { name: 'Cancel order' }).click();
    await page.getByText('Cancel Ayesha Khan’s order? Any payment is refunded.').waitFor();
    await shot(page, 'phone-admin-cancel-ask');
    await page.getByRole('button', { name: 'Yes, cancel the order' }).press('Enter');
    await poll(() => page.getByTestId('order-status').getAttribute('data-status')).toBe('CANCELLED');
    // The button pressed is gone; the keyboard goes to what happened, not back to the top of the page.
    await poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe(
      'Cancelled. Any payment taken is refunded.',
    );
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'phone-admin-cancelled');
    expect(problems).toEqual([]);
    await ctx.close();
  }, 60_000);

  it("an admin on a phone is told the inventory's limits in words beside what was typed, and a row's change in that row", async () => {
    const { ctx, page, problems } = await context(PHONE, { isMobile: true });
    await page.goto('/');
    await logIn(page, ADMIN.email, ADMIN.password);
    await page.goto('/admin');
    const row = page.locator('tr[data-sku="TEA-001"]');
    await row.getByLabel(/Quantity to add to/).fill('2000000');
    await row.getByRole('button', { name: /^Update stock/ }).click();
    await row.getByText('Enter a whole number from -1,000,000 to 1,000,000, other than 0').waitFor();
    expect(await page.getByText(/highlighted fields/).count()).toBe(0);

    // A change far down the list is said in its row, on the phone's screen, not at the top of the page.
    const salt = page.locator('tr[data-sku="SALT-001"]');
    await salt.getByRole('button', { name: /^Update stock/ }).click();
    const said = salt.getByRole('status');
    await poll(() => said.textContent()).toMatch(/stock increased by 10/);
    const onScreen = (el: Element) => {
      const box = el.getBoundingClientRect();
      return box.height > 0 && box.top >= 0 && box.bottom <= innerHeight;
    };
    expect(await said.evaluate(onScreen)).toBe(true);

    await page.getByLabel('SKU').fill(`BIG-${randomUUID().slice(0, 4).toUpperCase()}`);
    await page.getByLabel('Name', { exact: true }).fill('Too many kurtas');
    await page.getByLabel('Price (Rs)').fill('1499');
    await page.getByLabel('Stock on hand').fill('5000000');
    await page.getByRole('button', { name: 'Add product' }).click();
    await page.getByText('Enter how many you have, from 0 to 1,000,000.').waitFor();
    await poll(() => page.evaluate(() => document.activeElement?.id)).toBe('new-quantity');
    expect(await page.getByText(/highlighted fields|must be/).count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'phone-admin-limits');
    expect(problems).toEqual([]);
    await ctx.close();
  }, 60_000);

  it('an admin changes a price in place: a wrong one is explained beside it, a right one is said and shown', async () => {
    const admin = (await api('/api/auth/login', ADMIN)).body.accessToken as string;
    const sku = `VASE-${randomUUID().slice(0, 4).toUpperCase()}`;
    const product = { sku, name: 'Blue pottery plate', price: { amount: 185000, currency: 'PKR' }, quantity: 5 };
    expect((await api('/api/inventory', product, admin)).status).toBe(201);

    const { ctx, page, problems } = await context();
    await page.goto('/');
    await logIn(page, ADMIN.email, ADMIN.password);
    await page.goto('/admin');
    const row = page.locator(`tr[data-sku="${sku}"]`);
    await row.getByRole('button', { name: 'Change the price of Blue pottery plate' }).click();
    const price = row.getByLabel('New price of Blue pottery plate, in rupees');
    await poll(() => price.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await price.inputValue()).toBe('1,850');
    await price.fill('about 2000');
    await price.press('Enter');
    await row.getByText('Enter a price in rupees, like 1499 or 1,499.50.').waitFor();
    await price.fill('1,950');
    await price.press('Enter');
    await page
      .getByText('Blue pottery plate: price changed from Rs 1,850 to Rs 1,950. Orders already placed keep their price.')
      .waitFor();
    await poll(() => row.locator('td[data-label="Price"]').textContent()).toContain('Rs 1,950');
    await poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe(
      'Change the price of Blue pottery plate',
    );
    expect((await api(`/api/products/${sku}`)).body.price).toEqual({ amount: 195000, currency: 'PKR' });
    await shot(page, 'desktop-14-admin-price-changed');
    expect(problems).toEqual([]);
    await ctx.close();
  }, 60_000);

  it('a page for signed-in customers, opened signed out or after the session expired, asks to log in and comes back', async () => {
    const user = await newCustomer('Returning Shopper');
    const { ctx, page, problems } = await context();
    await page.goto('/orders');
    await page.waitForURL(/\/login\?next=%2Forders$/);
    await poll(() => page.getByLabel('Email').isVisible()).toBe(true);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/orders$/);
    await poll(() => page.getByRole('heading', { name: 'My orders' }).isVisible()).toBe(true);
    const stored = await page.evaluate(() => localStorage.getItem('bazaar.session.v1'));
    expect(stored).toBeTruthy();

    // A stored token that cannot be decoded, or that its own `exp` says has expired, is no session: the header is
    // signed out at once and the stored session forgotten, not a name shown until some request answers 401.
    const session = JSON.parse(stored!);
    const [header, payload, signature] = (session.token as string).split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const expiredByExp = [header, Buffer.from(JSON.stringify({ ...claims, exp: 1 })).toString('base64url'), signature];
    for (const token of ['garbage', expiredByExp.join('.')]) {
      const planted = JSON.stringify({ ...session, token, user: { ...session.user, name: 'Ghost' } });
      await page.evaluate((value) => localStorage.setItem('bazaar.session.v1', value), planted);
      await page.goto('/');
      await page.locator('html[data-ready="true"]').waitFor();
      expect(await page.getByRole('link', { name: 'Log in' }).isVisible(), token).toBe(true);
      expect(await page.getByText('Signed in as').count(), token).toBe(0);
      expect(await page.evaluate(() => localStorage.getItem('bazaar.session.v1')), token).toBeNull();
    }
    await page.evaluate((value) => localStorage.setItem('bazaar.session.v1', value), stored!);
    await page.goto('/orders');
    await poll(() => page.getByRole('heading', { name: 'My orders' }).isVisible()).toBe(true);

    // An hour later the token has expired: the same page asks again instead of waiting forever.
    await page.evaluate(() => {
      const key = 'bazaar.session.v1';
      const session = JSON.parse(localStorage.getItem(key)!);
      localStorage.setItem(key, JSON.stringify({ ...session, expiresAt: Date.now() - 1000 }));
    });
    await page.reload();
    await page.waitForURL(/\/login\?next=%2Forders$/);
    await poll(() => page.getByLabel('Email').isVisible()).toBe(true);
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('a keyboard alone can log in, fill the cart and check out with cash on delivery', async () => {
    const user = await newCustomer('Keyboard Shopper');
    const { ctx, page, problems } = await context();
    await page.goto('/login');
    await page.locator('html[data-ready="true"]').waitFor();
    // The first Tab offers to skip the header.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await tabTo(page, (el) => el.label === 'Email');
    await page.keyboard.type(user.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(user.password);
    await page.keyboard.press('Enter');
    await poll(() => page.getByRole('button', { name: /^Log out/ }).isVisible()).toBe(true);
    await tabTo(page, (el) => el.tag === 'button' && el.name.startsWith('Add to cart: '));
    await page.keyboard.press('Enter');
    await poll(() => page.getByTestId('cart-count').textContent()).toContain('1');
    // On past the products and the footer, round to the top, to the cart.
    await tabTo(page, (el) => el.tag === 'a' && el.name.startsWith('Cart'), 120);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/cart$/);
    await tabTo(page, (el) => el.tag === 'a' && el.name === 'Check out');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/checkout$/);
    await tabTo(page, (el) => el.tag === 'select' && el.label === 'City');
    await page.keyboard.press('Tab');
    await page.keyboard.type('House 1, Street 2, Gulberg');
    await page.keyboard.press('Tab');
    // The phone came from the account; the payment radios are one Tab stop, moved with the arrow keys.
    await tabTo(page, (el) => el.type === 'radio');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.getByRole('radio', { name: 'Cash on delivery' }).isChecked()).toBe(true);
    await tabTo(page, (el) => el.tag === 'button' && el.name.startsWith('Place order'));
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/orders\/ord_/);
    await poll(() => page.getByTestId('order-status').getAttribute('data-status')).toMatch(
      /CONFIRMED|SHIPPED|DELIVERED/,
    );
    // After the move, focus starts at the new page's heading.
    await poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await shot(page, 'desktop-13-keyboard-order');
    expect(problems).toEqual([]);
    await ctx.close();
  }, 60_000);

  it('a customer changes their name, mobile number and city, clears the number, and checkout starts from them', async () => {
    const user = await newCustomer('Moving Shopper');
    const { ctx, page, problems } = await context();
    await page.goto('/');
    await logIn(page, user.email, user.password);
    await page.getByRole('link', { name: 'My details' }).click();
    await page.getByRole('heading', { name: 'Your details' }).waitFor();
    await page.getByLabel('Full name').fill('Moved Shopper');
    await page.getByLabel('Mobile number (optional)').fill('12345');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Enter an 11-digit mobile number starting 03, like 03001234567.').waitFor();
    await page.getByLabel('Mobile number (optional)').fill('0321 7654321');
    await poll(() => page.getByLabel('City (optional)').locator('option').count()).toBeGreaterThan(2);
    await page.getByLabel('City (optional)').selectOption('Multan');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Your details are saved.').waitFor();
    const token = (await api('/api/auth/login', { email: user.email, password: user.password })).body.accessToken;
    const me = async () => (await api('/api/users/me', undefined, token)).body;
    expect(await me()).toMatchObject({ name: 'Moved Shopper', phone: '03217654321', city: 'Multan' });
    // Checkout starts from where the shopper now lives.
    await page.goto('/');
    await page
      .getByRole('button', { name: /^Add to cart: / })
      .first()
      .click();
    await page.goto('/checkout');
    await poll(() => page.getByLabel('City').inputValue()).toBe('Multan');
    // An emptied number is removed, not kept.
    await page.goto('/account');
    await page.getByLabel('Mobile number (optional)').fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Your details are saved.').waitFor();
    expect((await me()).phone).toBeNull();
    expect(problems).toEqual([]);
    await ctx.close();
  }, 60_000);

  it('removing a cart line keeps the keyboard in the cart: on the next line, or the heading once it is empty', async () => {
    const { ctx, page, problems } = await context();
    await page.goto('/');
    const adds = page.getByRole('button', { name: /^Add to cart: / });
    await adds.nth(0).click();
    await adds.nth(1).click();
    await page.goto('/cart');
    const removes = page.getByRole('button', { name: /^Remove / });
    await poll(() => removes.count()).toBe(2);
    const second = await page.locator('.cart-line input').nth(1).getAttribute('id');
    await removes.first().focus();
    await page.keyboard.press('Enter');
    await poll(() => page.evaluate(() => document.activeElement?.id)).toBe(second);
    await page.getByRole('button', { name: /^Remove / }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('Your cart is empty.').waitFor();
    await poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('the shop and its API docs page ask the browser for nothing missing, not even a /favicon.ico', async () => {
    // No 4xx is expected here, so the browser's own line for one is a problem too.
    const { ctx, page, problems } = await openPage(browser!, { baseURL: base, viewport: DESKTOP });
    const cdp = await ctx.newCDPSession(page);
    const failed: string[] = [];
    cdp.on('Network.responseReceived', ({ response }) => {
      if (response.status >= 400) failed.push(`${response.status} ${response.url}`);
    });
    await cdp.send('Network.enable');
    await page.goto('/');
    await page.locator('html[data-ready="true"]').waitFor();
    await page.getByRole('link', { name: 'API', exact: true }).click();
    await page.waitForURL(/\/docs$/);
    await poll(() => page.locator('details.op').count()).toBeGreaterThan(0);
    // The browser asks for a page's icon once the page has loaded.
    await page.waitForTimeout(1_000);
    expect(failed).toEqual([]);
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('the API docs page lists the API and tries requests under a strict Content-Security-Policy that blocks nothing it needs', async () => {
    const user = await newCustomer('Docs Reader');
    const token = (await api('/api/auth/login', { email: user.email, password: user.password })).body.accessToken;
    const { ctx, page, problems } = await openPage(browser!, { baseURL: base, viewport: DESKTOP });
    // The browser reports every CSP violation as this event (and a console error, which openPage collects).
    await page.addInitScript(() => {
      const w = window as unknown as { violations: string[] };
      w.violations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        w.violations.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}`),
      );
    });
    const res = await page.goto('/docs');
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-');
    // The API is listed, styled by its own stylesheet.
    await poll(() => page.locator('details.op').count()).toBeGreaterThan(10);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).not.toBe('');
    expect(await page.locator('header').evaluate((h) => getComputedStyle(h).backgroundColor)).toBe('rgb(11, 110, 79)');

    const operation = (method: string, path: string) =>
      page
        .locator('details.op')
        .filter({ has: page.locator(`.method.${method}`) })
        .filter({ has: page.locator('.path').getByText(path, { exact: true }) });
    // Try a public GET with a path parameter…
    const product = operation('get', '/api/products/{sku}');
    await product.locator('summary').click();
    await product.locator('input[name="sku"]').fill('LAWN-001');
    await product.getByRole('button', { name: 'Send GET' }).click();
    await poll(() => product.locator('pre').last().textContent()).toContain('200 OK');
    expect(await product.locator('pre').last().textContent()).toContain('"sku": "LAWN-001"');
    // …and a protected one with a pasted token.
    await page.getByLabel('Bearer token').fill(token);
    await page.getByLabel('Bearer token').dispatchEvent('change');
    const me = operation('get', '/api/users/me');
    await me.locator('summary').click();
    await me.getByRole('button', { name: 'Send GET' }).click();
    await poll(() => me.locator('pre').last().textContent()).toContain('200 OK');
    expect(await me.locator('pre').last().textContent()).toContain(user.email);
    await shot(page, 'desktop-17-docs');

    expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('fits a phone: every page renders at 390 × 844 without sideways scrolling', async () => {
    const user = await newCustomer('Phone Shopper');
    const { ctx, page, problems } = await context(PHONE, { isMobile: true });
    const fits = async (name: string) => {
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, `${name} is ${width}px wide`).toBeLessThanOrEqual(PHONE.width);
      // What the phone shows first, and the whole page.
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot(page, `phone-${name}`, false);
      await shot(page, `phone-${name}-full`);
    };
    await page.goto('/');
    await page.locator('html[data-ready="true"]').waitFor();
    await fits('01-home');
    await page.getByRole('link', { name: 'Peshawari chappal' }).click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await fits('02-product');
    // A quantity out of range shows, once the box is left, the quantity that will be added.
    const quantity = page.getByLabel('Quantity');
    await quantity.fill('-3');
    await quantity.blur();
    expect(await quantity.inputValue()).toBe('1');
    await page.getByRole('button', { name: /^Add to cart: / }).click();
    await page.goto('/login');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await poll(() => page.getByRole('button', { name: /^Log out/ }).isVisible()).toBe(true);
    await page.getByRole('link', { name: /^Cart/ }).click();
    await page.getByRole('list', { name: 'Items in your cart' }).waitFor();
    await fits('03-cart');
    await page.getByRole('link', { name: 'Check out' }).click();
    await page.getByLabel('Address').fill('Flat 3, Blue Area');
    await page.getByLabel('City').selectOption('Islamabad');
    await page.getByLabel('JazzCash wallet number').fill('03001234567');
    await fits('04-checkout');
    await page.getByRole('button', { name: /^Place order/ }).click();
    await page.waitForURL(/\/orders\/ord_/);
    await poll(() => page.getByTestId('order-status').getAttribute('data-status'), { timeout: 20_000 }).toBe(
      'DELIVERED',
    );
    await fits('05-order');
    await page.getByRole('link', { name: 'My orders' }).click();
    await page.getByRole('list', { name: 'Your orders, newest first' }).waitFor();
    await fits('06-history');
    // The admin's stock table stacks each product into a card of labelled figures: nothing hides off to the side.
    await page.getByRole('button', { name: /^Log out/ }).click();
    await page.goto('/login');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await poll(() => page.getByRole('button', { name: /^Log out/ }).isVisible()).toBe(true);
    await page.goto('/admin');
    await page.locator('.stock-table').waitFor();
    await fits('07-admin');
    const frame = await page
      .locator('.table-wrap')
      .evaluate((el) => ({ scroll: el.scrollWidth, shown: el.clientWidth }));
    expect(frame.scroll, 'the stock table scrolls sideways').toBeLessThanOrEqual(frame.shown);
    const onHand = page.locator('tr[data-sku="BAT-001"] [data-col="on-hand"]');
    expect(await onHand.evaluate((el) => getComputedStyle(el, '::before').content)).toBe('"On hand"');
    expect(problems).toEqual([]);
    await ctx.close();
  }, 60_000);
});
