// api: the admin operations API (/api/ops, documented under "Operations" in /openapi.json), the public API's orders,
// payments, shipments and catalogue as an admin reads and manages them, and the login it needs.

import type { Money, Order, Page, Payment, Product, Shipment, StockLevel } from '@bazaar/web-kit/api-types';

export type { Money, Order, Page, Payment, Product, Shipment, StockLevel } from '@bazaar/web-kit/api-types';

/** A problem document; its extension members (STOCK_CONFLICT's onHand and reserved, say) are kept as they came. */
export type Problem = {
  status: number;
  code: string;
  detail: string;
  errors?: { path: string; message: string }[];
  [extension: string]: unknown;
};

/** ApiError carries the problem document the API answered (or one made up for a network failure). */
export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail);
    this.problem = problem;
  }
}

/** One call payments made to a wallet provider for a payment, from its audit trail. */
export type ProviderAttempt = {
  provider: string;
  operation: 'authorize' | 'inquire' | 'reverse';
  txnRef: string;
  result: string;
  /** A decline's code and message, as the provider gave them. */
  detail?: string;
  /** When the call was sent and how long it took; absent on calls recorded before payments timed them. */
  startedAt?: string;
  durationMs?: number;
  /** When the call was recorded, after it ended. */
  at: string;
};

export type Replica = {
  url: string;
  self?: boolean;
  healthy: boolean;
  ready: boolean;
  status?: number;
  failing?: Record<string, unknown>;
  latencyMs?: number;
  checkedAt: string;
  pending: number;
};
export type ServiceHealth = {
  name: string;
  replicas: Replica[];
  process?: { pid: number; uptimeSeconds: number; residentBytes: number };
};

export type TraceSummary = {
  traceId: string;
  spanId: string;
  name: string;
  method: string;
  route: string;
  path: string;
  status?: number;
  error: boolean;
  startTime: string;
  durationMs: number;
};

export type Span = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  kind: number;
  startTime: string;
  durationMs: number;
  status: 'ok' | 'error' | 'unset';
  attributes: Record<string, unknown>;
  /** Spans of other traces this one works for: a batch links to each call it carries. */
  links?: { traceId: string; spanId: string }[];
};
export type Missing = { service: string; replica: string; reason: string };
export type Trace = {
  traceId: string;
  services: string[];
  startTime: string;
  durationMs: number;
  /** How the trace's request was answered: the span that started it, its HTTP status and whether it failed. */
  root: { spanId: string; service: string; name: string; status?: number; error: boolean };
  spans: Span[];
  /** Batches in other traces that carried calls of this one, with the spans under them. */
  linked: Span[];
  missing: Missing[];
};

export type LogLine = {
  time?: string;
  level?: string;
  service?: string;
  traceId?: string;
  spanId?: string;
  requestId?: string;
  msg?: string;
  [field: string]: unknown;
};

export type DeadLetter = {
  service: string;
  consumer: string;
  eventId: string;
  type: string;
  error: string;
  at: string;
  attempts: number;
  event: Record<string, unknown>;
};
export type Messaging = {
  services: {
    service: string;
    broker: string;
    replicas: number;
    outbox: { backlog: number; oldestAgeMs: number; published: number; failures: number };
    deadLetters: number;
  }[];
  sagas: {
    ordersByStatus: Record<string, number>;
    sagasByStep: Record<string, number>;
    inFlight: number;
    /** How many are retrying; `retrying` lists the newest of them. */
    retryingCount?: number;
    retrying: {
      orderId: string;
      step: string;
      reason?: string;
      attempts: number;
      lastError?: string;
      nextAttemptAt: string;
      updatedAt: string;
    }[];
  } | null;
  deadLetters: DeadLetter[];
  missing: Missing[];
};

/** problemOf reads what went wrong from anything a call threw. */
export const problemOf = (err: unknown): Problem =>
  err instanceof ApiError ? err.problem : { status: 0, code: 'ERROR', detail: String(err) };

/** The query string of the given values, those undefined left out. */
const query = (values: Record<string, string | number | undefined>) =>
  new URLSearchParams(Object.entries(values).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]]))).toString();

type Deps = {
  token: () => string | undefined;
  /** A request that carried a token was refused as UNAUTHENTICATED: the session is over. */
  onUnauthenticated?: () => void;
  fetch?: typeof fetch;
};

export type Api = ReturnType<typeof createApi>;

export function createApi(deps: Deps) {
  const doFetch = deps.fetch ?? ((input: string, init?: RequestInit) => globalThis.fetch(input, init));

  async function send<T>(method: string, path: string, body?: unknown, token = deps.token()): Promise<T> {
    let res: Response;
    try {
      res = await doFetch(path, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError({ status: 0, code: 'NETWORK', detail: 'The gateway cannot be reached. Is Bazaar running?' });
    }
    const text = await res.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (res.ok) return parsed as T;
    const p = (parsed ?? {}) as Partial<Problem>;
    const problem: Problem = {
      ...p,
      status: res.status,
      code: typeof p.code === 'string' ? p.code : `HTTP_${res.status}`,
      detail: typeof p.detail === 'string' ? p.detail : `The gateway answered ${res.status}.`,
      errors: p.errors,
    };
    if (res.status === 401 && token) deps.onUnauthenticated?.();
    throw new ApiError(problem);
  }

  return {
    logIn: (email: string, password: string) =>
      send<{ accessToken: string; expiresIn: number }>('POST', '/api/auth/login', { email, password }, ''),
    me: (token: string) =>
      send<{ id: string; name: string; email: string; role: string }>('GET', '/api/users/me', undefined, token),
    /** The users of these ids (up to 100), to name the customers of the orders shown. */
    users: (ids: string[]) =>
      send<Page<{ id: string; name: string }>>('GET', `/api/users?${query({ id: ids.join(','), limit: 100 })}`),
    services: () => send<{ items: ServiceHealth[] }>('GET', '/api/ops/services'),
    /** The latest API requests' traces; `failed`: only those answered 4xx or 5xx, or that failed. */
    traces: (limit = 50, failed = false) =>
      send<{ items: TraceSummary[]; retention: { capacity: number; since?: string } }>(
        'GET',
        `/api/ops/traces?limit=${limit}${failed ? '&failed=true' : ''}`,
      ),
    trace: (traceId: string) => send<Trace>('GET', `/api/ops/traces/${encodeURIComponent(traceId)}`),
    logs: (traceId: string) =>
      send<{ items: LogLine[]; missing: Missing[] }>('GET', `/api/ops/logs?traceId=${encodeURIComponent(traceId)}`),
    /** An order's log lines in every service and every trace (its placing, its events, its courier steps). */
    orderLogs: (orderId: string) =>
      send<{ items: LogLine[]; missing: Missing[] }>(
        'GET',
        `/api/ops/logs?orderId=${encodeURIComponent(orderId)}&limit=2000`,
      ),
    messaging: () => send<Messaging>('GET', '/api/ops/messaging'),
    /** The latest orders of every customer, newest first; of one status when given. */
    orders: (q: { status?: string; cursor?: string; limit?: number } = {}) =>
      send<Page<Order>>('GET', `/api/orders?${query({ limit: q.limit ?? 20, status: q.status, cursor: q.cursor })}`),
    order: (orderId: string) => send<Order>('GET', `/api/orders/${encodeURIComponent(orderId)}`),
    payments: (orderId: string) => send<Page<Payment>>('GET', `/api/payments?${query({ orderId, limit: 100 })}`),
    /** A payment's calls to its provider, oldest first (the first 100: a payment makes a handful). */
    providerCalls: (paymentId: string) =>
      send<Page<ProviderAttempt>>('GET', `/api/payments/${encodeURIComponent(paymentId)}/attempts?limit=100`),
    shipment: (trackingNumber: string) => send<Shipment>('GET', `/api/shipments/${encodeURIComponent(trackingNumber)}`),
    /** The catalogue in sku order, of the products matching `q` (sku, name or description) when given. */
    products: (q: { q?: string; limit?: number; cursor?: string } = {}) =>
      send<Page<Product>>('GET', `/api/products?${query({ q: q.q, limit: q.limit ?? 20, cursor: q.cursor })}`),
    /** The stock ledger in sku order (admin), of the given skus only when there are some (up to 100). */
    stockLevels: (q: { skus?: string[]; limit?: number; cursor?: string } = {}) =>
      send<Page<StockLevel>>(
        'GET',
        `/api/inventory?${query({ sku: q.skus?.join(','), limit: q.limit ?? 20, cursor: q.cursor })}`,
      ),
    stockLevel: (sku: string) => send<StockLevel>('GET', `/api/inventory/${encodeURIComponent(sku)}`),
    addProduct: (body: { sku: string; name: string; description?: string; price: Money; quantity: number }) =>
      send<Product>('POST', '/api/inventory', body),
    editProduct: (sku: string, body: { name?: string; description?: string; price?: Money }) =>
      send<Product>('PATCH', `/api/inventory/${encodeURIComponent(sku)}`, body),
    adjustStock: (sku: string, body: { delta: number; reason: string }) =>
      send<Product>('POST', `/api/inventory/${encodeURIComponent(sku)}/adjustments`, body),
    replay: (letter: Pick<DeadLetter, 'service' | 'consumer' | 'eventId'>) =>
      send<{ replayed: boolean }>('POST', '/api/ops/dead-letters/replay', {
        service: letter.service,
        consumer: letter.consumer,
        eventId: letter.eventId,
      }),
  };
}
