// api: the public API as the storefront uses it: typed calls, bearer token, problems as ApiError.
import type { Money, Order, Page, Product, Shipment, StockLevel } from '@bazaar/web-kit/api-types';
import { ApiError, networkProblem, type PaymentMethod, toProblem } from './problems.ts';

export type { Order, OrderItem, Page, Product, Shipment, StockLevel } from '@bazaar/web-kit/api-types';
export type Role = 'customer' | 'admin';
export type User = { id: string; name: string; email: string; phone: string | null; city: string | null; role: Role };
export type Rate = { city: string; fee: Money };
export type NewOrder = {
  items: { sku: string; quantity: number }[];
  payment: { method: PaymentMethod; wallet?: string; cnic?: string };
  shipping: { city: string; address: string; phone: string };
};
export type Login = { accessToken: string; expiresIn: number };

type ApiDeps = {
  token: () => string | undefined;
  /** Called when a request that carried a token is refused as UNAUTHENTICATED: the session is over. */
  onUnauthenticated?: () => void;
  fetch?: typeof fetch;
};

type Options = { body?: unknown; headers?: Record<string, string> };

export type Api = ReturnType<typeof createApi>;

export function createApi(deps: ApiDeps) {
  const doFetch = deps.fetch ?? ((input: string, init?: RequestInit) => globalThis.fetch(input, init));

  async function send<T>(method: string, path: string, options: Options = {}): Promise<{ status: number; body: T }> {
    const token = deps.token();
    let res: Response;
    try {
      res = await doFetch(path, {
        method,
        headers: {
          accept: 'application/json',
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...options.headers,
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch {
      throw new ApiError(networkProblem());
    }
    const text = await res.text().catch(() => '');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!res.ok) {
      const problem = toProblem(res.status, body, res.headers.get('retry-after'));
      if (problem.code === 'UNAUTHENTICATED' && token) deps.onUnauthenticated?.();
      throw new ApiError(problem);
    }
    return { status: res.status, body: body as T };
  }
  const call = async <T>(method: string, path: string, options?: Options) =>
    (await send<T>(method, path, options)).body;
  const query = (params: Record<string, string | number | undefined | null>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    const s = q.toString();
    return s ? `?${s}` : '';
  };

  return {
    products: (q: string, cursor?: string | null, limit = 24) =>
      call<Page<Product>>('GET', `/api/products${query({ q, cursor, limit })}`),
    product: (sku: string) => call<Product>('GET', `/api/products/${encodeURIComponent(sku)}`),
    rates: () => call<Page<Rate>>('GET', '/api/shipping/rates'),
    signUp: (body: { name: string; email: string; password: string; phone?: string; city?: string }) =>
      call<User>('POST', '/api/users', { body }),
    logIn: (email: string, password: string) => call<Login>('POST', '/api/auth/login', { body: { email, password } }),
    me: () => call<User>('GET', '/api/users/me'),
    /** Changes the signed-in user's name, phone or city; null clears a phone or city. */
    updateMe: (body: { name?: string; phone?: string | null; city?: string | null }) =>
      call<User>('PATCH', '/api/users/me', { body }),
    /** The users of these ids (admin, up to 100): names for the customers of a list of orders. */
    users: (ids: string[]) => call<Page<User>>('GET', `/api/users${query({ id: ids.join(','), limit: 100 })}`),
    placeOrder: (order: NewOrder, idempotencyKey: string) =>
      send<Order>('POST', '/api/orders', { body: order, headers: { 'idempotency-key': idempotencyKey } }),
    order: (id: string) => call<Order>('GET', `/api/orders/${encodeURIComponent(id)}`),
    orders: (cursor?: string | null) => call<Page<Order>>('GET', `/api/orders${query({ cursor, limit: 20 })}`),
    cancelOrder: (id: string) => call<Order>('POST', `/api/orders/${encodeURIComponent(id)}/cancel`),
    shipment: (trackingNumber: string) => call<Shipment>('GET', `/api/shipments/${encodeURIComponent(trackingNumber)}`),
    stock: (cursor?: string | null) => call<Page<StockLevel>>('GET', `/api/inventory${query({ cursor, limit: 100 })}`),
    createProduct: (body: { sku: string; name: string; description?: string; price: Money; quantity: number }) =>
      call<Product>('POST', '/api/inventory', { body }),
    /** Changes a product's name, description or price (admin); orders already placed keep their price. */
    editProduct: (sku: string, body: { name?: string; description?: string; price?: Money }) =>
      call<Product>('PATCH', `/api/inventory/${encodeURIComponent(sku)}`, { body }),
    adjustStock: (sku: string, delta: number, reason: string) =>
      call<Product>('POST', `/api/inventory/${encodeURIComponent(sku)}/adjustments`, { body: { delta, reason } }),
  };
}

/** allPages follows nextCursor until the end (or a safety limit), for the admin's full lists. */
export async function allPages<T>(load: (cursor: string | null) => Promise<Page<T>>, maxPages = 50): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const result: Page<T> = await load(cursor);
    items.push(...result.items);
    cursor = result.nextCursor;
    if (!cursor) break;
  }
  return items;
}
