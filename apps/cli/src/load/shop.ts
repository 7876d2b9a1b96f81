// What a shopper does, as HTTP calls to the gateway over keep-alive connections (undici): one function per action.
import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import type { Action } from './options.ts';

/** An answer, reduced to what the load generator needs. */
export type Answer = { status: number; body: unknown; error?: string; type?: string };

/** The outcome of one action: ok, or the key its failure is counted under ("429 RATE_LIMITED", "ECONNREFUSED"). */
export type Outcome = { ok: true } | { ok: false; key: string; status: number };

export type Customer = { email: string; token: string };
type PlacedOrder = { id: string; token: string; trackingNumber?: string };
type Product = { sku: string; available: number };

const SEARCH_TERMS = [
  'lawn',
  'rice',
  'tea',
  'shawl',
  'bat',
  'salt',
  'khussa',
  'chappal',
  'pottery',
  'apricot',
  'kurta',
];
const CITIES = ['Lahore', 'Karachi', 'Islamabad', 'Rawalpindi', 'Faisalabad', 'Multan', 'Peshawar'];
/** Sandbox wallets that approve (API.md: any valid number but the three special ones). */
const WALLETS = ['03001234567', '03211234567', '03451234567'];
const MAX_REMEMBERED_ORDERS = 5_000;
/** NO_CUSTOMER: an order or tracking not tried, for want of a signed-up customer; nothing was sent. */
export const NO_CUSTOMER = 'NO_CUSTOMER';

export class Shop {
  readonly pool: Pool;
  readonly customers: Customer[] = [];
  readonly orders: PlacedOrder[] = [];
  products: Product[] = [];
  private cursors: string[] = [];
  private readonly timeoutMs: number;
  private readonly random: () => number;
  private signups = 0;
  private readonly runId = randomUUID().slice(0, 8);
  /** The path of a gateway served under one (https://host/shop): every call's path starts with it. */
  private readonly base: string;

  constructor(url: string, options: { connections: number; timeoutMs: number; random?: () => number }) {
    const { origin, pathname } = new URL(url);
    this.base = pathname.replace(/\/+$/, '');
    this.pool = new Pool(origin, { connections: options.connections, pipelining: 1, keepAliveTimeout: 30_000 });
    this.timeoutMs = options.timeoutMs;
    this.random = options.random ?? Math.random;
  }

  async call(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    extra?: Record<string, string>,
  ): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json', ...extra };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    try {
      const res = await this.pool.request({
        method: method as 'GET',
        path: this.base + path,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const text = await res.body.text();
      const type = (res.headers['content-type'] ?? '').toString().split(';')[0];
      let parsed: unknown;
      if (text && type.includes('json')) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
      }
      return { status: res.statusCode, body: parsed, type };
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err as Error).name ?? 'ERROR';
      return {
        status: 0,
        body: undefined,
        error: code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' ? 'TIMEOUT' : code,
      };
    }
  }

  /** The catalogue, fetched once before the run: the skus that views and orders use. */
  async loadCatalogue(): Promise<void> {
    const products: Product[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const res = await this.call(
        'GET',
        `/api/products?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      if (res.status !== 200) throw new Error(`GET /api/products answered ${res.error ?? res.status}`);
      const body = res.body as { items: Product[]; nextCursor: string | null } | undefined;
      if (!Array.isArray(body?.items))
        throw new Error(
          `GET /api/products answered 200 ${res.type || 'with no content type'}, not the catalogue: is --url a Bazaar gateway?`,
        );
      products.push(...body.items.map((p) => ({ sku: p.sku, available: p.available })));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    if (products.length === 0) throw new Error('the catalogue is empty: there is nothing to view or order');
    this.products = products;
  }

  /** Signs a new customer up and logs them in; the customer joins the pool that orders and tracking draw from. */
  async signUp(): Promise<Outcome> {
    const n = ++this.signups;
    const email = `load-${this.runId}-${n}@example.pk`;
    const password = 'load-test-secret';
    const created = await this.call('POST', '/api/users', {
      name: `Load Shopper ${n}`,
      email,
      password,
      city: this.pick(CITIES),
    });
    if (created.status !== 201) return failed(created);
    const login = await this.call('POST', '/api/auth/login', { email, password });
    if (login.status !== 200) return failed(login);
    this.customers.push({ email, token: (login.body as { accessToken: string }).accessToken });
    return { ok: true };
  }

  async run(action: Action): Promise<Outcome> {
    switch (action) {
      case 'browse':
        return this.browse();
      case 'search':
        return expect(await this.call('GET', `/api/products?q=${this.pick(SEARCH_TERMS)}&limit=20`), 200);
      case 'view':
        return expect(await this.call('GET', `/api/products/${encodeURIComponent(this.pick(this.products).sku)}`), 200);
      case 'signup':
        return this.signUp();
      case 'order':
        return this.order();
      case 'track':
        return this.track();
    }
  }

  /** A page of the catalogue; a third of the time the next page of one seen before. */
  private async browse(): Promise<Outcome> {
    const cursor = this.cursors.length > 0 && this.random() < 0.33 ? this.cursors.pop() : undefined;
    const res = await this.call(
      'GET',
      `/api/products?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    const next = (res.body as { nextCursor?: string | null } | undefined)?.nextCursor;
    if (res.status === 200 && next && this.cursors.length < 100) this.cursors.push(next);
    return expect(res, 200);
  }

  /** One to three lines, paid by an approving wallet (or cash on delivery now and then), with an Idempotency-Key. */
  private async order(): Promise<Outcome> {
    const customer = this.customer();
    if (!customer) return { ok: false, key: NO_CUSTOMER, status: 0 };
    const lines = new Map<string, number>();
    const count = 1 + Math.floor(this.random() * 3);
    for (let i = 0; i < count; i++) lines.set(this.pick(this.products).sku, 1 + Math.floor(this.random() * 2));
    const cod = this.random() < 0.1;
    const method = cod ? 'cod' : this.random() < 0.5 ? 'jazzcash' : 'easypaisa';
    const res = await this.call(
      'POST',
      '/api/orders',
      {
        items: [...lines].map(([sku, quantity]) => ({ sku, quantity })),
        payment: cod ? { method } : { method, wallet: this.pick(WALLETS) },
        shipping: { city: this.pick(CITIES), address: '12 Mall Road', phone: '03001234567' },
      },
      customer.token,
      { 'idempotency-key': randomUUID() },
    );
    if (res.status === 201 || res.status === 202) {
      const id = (res.body as { id?: string } | undefined)?.id;
      if (id) {
        if (this.orders.length >= MAX_REMEMBERED_ORDERS) this.orders.splice(0, this.orders.length >> 1);
        this.orders.push({ id, token: customer.token });
      }
      return { ok: true };
    }
    return failed(res);
  }

  /** Follows a shipment by its tracking number once known; before that the order itself; with no order, the history. */
  private async track(): Promise<Outcome> {
    if (this.orders.length === 0) {
      const customer = this.customer();
      if (!customer) return expect(await this.call('GET', '/api/shipping/rates'), 200);
      return expect(await this.call('GET', '/api/users/me/orders', undefined, customer.token), 200);
    }
    const order = this.pick(this.orders);
    if (order.trackingNumber)
      return expect(await this.call('GET', `/api/shipments/${encodeURIComponent(order.trackingNumber)}`), 200);
    const res = await this.call('GET', `/api/orders/${encodeURIComponent(order.id)}`, undefined, order.token);
    const tracking = (res.body as { shipping?: { trackingNumber?: string } } | undefined)?.shipping?.trackingNumber;
    if (tracking) order.trackingNumber = tracking;
    return expect(res, 200);
  }

  /** As the admin: tops every product up to at least `target` available units, so a long run does not sell out. */
  async restock(admin: { email: string; password: string }, target = 900_000): Promise<number> {
    const login = await this.call('POST', '/api/auth/login', admin);
    if (login.status !== 200) throw new Error(`the admin could not log in to restock (${login.error ?? login.status})`);
    const token = (login.body as { accessToken: string }).accessToken;
    let restocked = 0;
    for (const product of this.products) {
      const delta = target - product.available;
      if (delta <= 0) continue;
      const res = await this.call(
        'POST',
        `/api/inventory/${encodeURIComponent(product.sku)}/adjustments`,
        { delta: Math.min(delta, 1_000_000), reason: 'bazaar load: restock before a load run' },
        token,
      );
      if (res.status !== 200) throw new Error(`restocking ${product.sku} answered ${res.error ?? res.status}`);
      product.available += Math.min(delta, 1_000_000);
      restocked++;
    }
    return restocked;
  }

  /** Drops whatever is still queued or outstanding: the run has its summary (close would wait for every one). */
  close(): Promise<void> {
    return this.pool.destroy();
  }

  private customer(): Customer | undefined {
    return this.customers.length === 0 ? undefined : this.pick(this.customers);
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)];
  }
}

function expect(res: Answer, status: number): Outcome {
  return res.status === status ? { ok: true } : failed(res);
}

/** failed names a failure by status and problem code ("409 OUT_OF_STOCK"), or by the network error's code. */
export function failed(res: Answer): Outcome & { ok: false } {
  if (res.status === 0) return { ok: false, key: res.error ?? 'NETWORK_ERROR', status: 0 };
  const code = (res.body as { code?: unknown } | undefined)?.code;
  return {
    ok: false,
    key: typeof code === 'string' ? `${res.status} ${code}` : String(res.status),
    status: res.status,
  };
}
