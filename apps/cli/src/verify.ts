// `bazaar verify`: checks the invariants that must hold across services, through their public admin APIs:
// stock conserved, money conserved, one shipment per confirmed order, nothing stuck PENDING, a balanced ledger, and
// every customer's order history caught up with the orders.
import { loadConfig } from './config.ts';
import { targetUrl } from './target-url.ts';

export const verifyHelp = `bazaar verify: check the platform's invariants through its API

Usage: bazaar verify [--url URL]
  --url URL   the gateway to check, any deployment (default: the one \`bazaar up\` starts here,
              http://127.0.0.1:<PORT>, PORT's default being 8080)

Logs in as the admin (BAZAAR_ADMIN_EMAIL / BAZAAR_ADMIN_PASSWORD, embedded defaults otherwise) and checks every
invariant, retrying for up to 30 s while events in flight settle; prints each result. Exit code 1 when one fails.`;

export type Check = { name: string; ok: boolean; problems: string[] };
type Order = {
  id: string;
  status: string;
  total: { amount: number };
  payment: { method: string };
  items: { sku: string; quantity: number }[];
  shipping?: { trackingNumber?: string };
};
type Stock = {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
  sold: number;
  initial: number;
  adjustments: number;
};
type Shipment = { orderId: string; status: string; trackingNumber: string };
type HistoryEntry = {
  orderId: string;
  status: string;
  total: { amount: number };
  itemCount: number;
  trackingNumber?: string;
};
type PaymentSummary = {
  byOrder: { orderId: string; method: string; status: string; captured: number; refunded: number; held: number }[];
  ledger: { balanced: boolean; problems: string[] };
};
type AdminApi = Awaited<ReturnType<typeof adminApi>>;

const LIVE = new Set(['CONFIRMED', 'SHIPPED', 'DELIVERED']);
/** Cash on delivery stays authorised (held) while its parcel is on the way; nothing else holds money once decided. */
const HOLDING = new Set(['CONFIRMED', 'SHIPPED']);

export async function verify(options: { url?: string; quiet?: boolean; settleMs?: number } = {}): Promise<boolean> {
  const checks = await verifyPlatform(targetUrl(options.url), options.settleMs ?? 30_000);
  for (const c of checks) {
    if (options.quiet) continue;
    console.log(`${c.ok ? '✓' : '✗'} ${c.name}`);
    for (const p of c.problems.slice(0, 20)) console.log(`    ${p}`);
  }
  return checks.every((c) => c.ok);
}

/** `summaryPage`: how many payments to read from the payments summary at a time (its own default, 20,000, unless set). */
export async function verifyPlatform(
  baseUrl: string,
  settleMs: number,
  admin?: { email: string; password: string },
  { summaryPage }: { summaryPage?: number } = {},
): Promise<Check[]> {
  const config = loadConfig();
  const credentials = admin ?? {
    email: config.adminEmail ?? 'admin@bazaar.local',
    password: config.adminPassword ?? 'bazaar-admin',
  };
  const api = await adminApi(baseUrl, credentials);

  // Events are delivered a moment after the change that caused them: the checks are retried until they hold
  // or the settling time runs out, and the last result is the verdict.
  const deadline = Date.now() + settleMs;
  for (;;) {
    const [orders, stock, shipments, payments, history] = await Promise.all([
      api.all<Order>('/api/orders'),
      api.all<Stock>('/api/inventory'),
      api.all<Shipment>('/api/shipments'),
      paymentSummary(api, summaryPage),
      api.all<HistoryEntry>('/api/users/order-history'),
    ]);
    const checks = [
      checkPending(orders),
      checkStock(stock, orders),
      checkMoney(orders, payments),
      checkShipments(orders, shipments),
      checkLedger(payments),
      checkHistory(orders, history),
    ];
    if (checks.every((c) => c.ok) || Date.now() > deadline) return checks;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Every page of the payments summary, newest first, `limit` payments a page (the service's 20,000 unless given): one
 * page alone left older orders' money unread, each paid one reported as owing its total. The journal's findings once.
 */
async function paymentSummary(api: AdminApi, limit?: number): Promise<PaymentSummary> {
  type Page = PaymentSummary & { nextCursor: string | null };
  const path = (cursor?: string) => {
    const query = new URLSearchParams();
    if (limit) query.set('limit', String(limit));
    if (cursor) query.set('cursor', cursor);
    return `/api/payments/summary?${query}`;
  };
  let page = await api.get<Page>(path());
  const byOrder = [...page.byOrder];
  const problems = new Set(page.ledger.problems);
  while (page.nextCursor) {
    page = await api.get<Page>(path(page.nextCursor));
    byOrder.push(...page.byOrder);
    for (const p of page.ledger.problems) problems.add(p);
  }
  return { byOrder, ledger: { balanced: page.ledger.balanced, problems: [...problems] } };
}

function checkPending(orders: Order[]): Check {
  const stuck = orders.filter((o) => o.status === 'PENDING');
  return {
    name: `no order left PENDING (${orders.length} orders)`,
    ok: stuck.length === 0,
    problems: stuck.map((o) => `${o.id} is still PENDING`),
  };
}

export function checkStock(stock: Stock[], orders: Order[]): Check {
  const problems: string[] = [];
  const sold = new Map<string, number>();
  // A PENDING order may hold its lines, no other order anything: stock reserved beyond that is held by no one.
  const holdable = new Map<string, number>();
  const count = (into: Map<string, number>, o: Order) => {
    for (const i of o.items) into.set(i.sku, (into.get(i.sku) ?? 0) + i.quantity);
  };
  for (const o of orders) {
    if (LIVE.has(o.status)) count(sold, o);
    else if (o.status === 'PENDING') count(holdable, o);
  }
  for (const s of stock) {
    if (s.initial + s.adjustments !== s.available + s.reserved + s.sold)
      problems.push(
        `${s.sku}: initial ${s.initial} + adjustments ${s.adjustments} ≠ available ${s.available} + reserved ${s.reserved} + sold ${s.sold}`,
      );
    if (s.sold !== (sold.get(s.sku) ?? 0))
      problems.push(`${s.sku}: inventory counts ${s.sold} sold, confirmed orders hold ${sold.get(s.sku) ?? 0}`);
    if (s.reserved > (holdable.get(s.sku) ?? 0))
      problems.push(`${s.sku}: ${s.reserved} reserved, pending orders hold at most ${holdable.get(s.sku) ?? 0}`);
  }
  return {
    name: `stock conserved (${stock.length} skus): initial + adjustments = available + reserved + sold`,
    ok: problems.length === 0,
    problems,
  };
}

const rupeeFormat = new Intl.NumberFormat('en-PK', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** rupees shows paisa as the shop does: Rs 1,234,567.50. */
export const rupees = (paisa: number) => `Rs ${rupeeFormat.format(paisa / 100)}`;

export function checkMoney(orders: Order[], payments: PaymentSummary): Check {
  const problems: string[] = [];
  const byOrder = new Map(payments.byOrder.map((p) => [p.orderId, p]));
  let expectedTotal = 0;
  let heldTotal = 0;
  for (const o of orders) {
    const collected = o.payment.method === 'cod' ? o.status === 'DELIVERED' : LIVE.has(o.status);
    const expected = collected ? o.total.amount : 0;
    const p = byOrder.get(o.id);
    const held = p ? p.captured - p.refunded : 0;
    expectedTotal += expected;
    heldTotal += held;
    if (held !== expected)
      problems.push(
        `${o.id} (${o.status}, ${o.payment.method}): captured − refunded is ${rupees(held)}, expected ${rupees(expected)}`,
      );
    // A hold left on a rejected or cancelled order is the customer's money taken and not given back.
    const hold = o.payment.method === 'cod' && HOLDING.has(o.status) ? o.total.amount : 0;
    if (o.status !== 'PENDING' && (p?.held ?? 0) !== hold)
      problems.push(
        `${o.id} (${o.status}, ${o.payment.method}): ${rupees(p?.held ?? 0)} held, expected ${rupees(hold)}`,
      );
    if (p && p.refunded > p.captured)
      problems.push(`${o.id}: refunded ${rupees(p.refunded)} exceeds captured ${rupees(p.captured)}`);
  }
  const orderIds = new Set(orders.map((o) => o.id));
  for (const p of payments.byOrder)
    if (!orderIds.has(p.orderId)) problems.push(`payment for unknown order ${p.orderId}`);
  return {
    name: `money conserved: captured − refunded = ${rupees(heldTotal)}, orders owe ${rupees(expectedTotal)}`,
    ok: problems.length === 0,
    problems,
  };
}

function checkShipments(orders: Order[], shipments: Shipment[]): Check {
  const problems: string[] = [];
  const active = new Map<string, number>();
  for (const s of shipments) if (s.status !== 'CANCELLED') active.set(s.orderId, (active.get(s.orderId) ?? 0) + 1);
  for (const o of orders) {
    const n = active.get(o.id) ?? 0;
    if (LIVE.has(o.status) && n !== 1) problems.push(`${o.id} (${o.status}) has ${n} shipments`);
    if (!LIVE.has(o.status) && n !== 0) problems.push(`${o.id} (${o.status}) has ${n} active shipments`);
  }
  return {
    name: 'every confirmed order has exactly one shipment, and no other order has one',
    ok: problems.length === 0,
    problems,
  };
}

/** The journal balances, and the payments service's own audit of it (a refund beyond its capture, a hold left) is clean. */
export function checkLedger(payments: PaymentSummary): Check {
  const problems = [...(payments.ledger.balanced ? [] : ['the ledger does not balance']), ...payments.ledger.problems];
  return {
    name: 'payments ledger balanced (debits = credits) and its audit clean',
    ok: problems.length === 0,
    problems,
  };
}

/**
 * The users service's read model is fed by order events: once they are in, each order's entry shows its status,
 * total, item count and tracking number.
 */
export function checkHistory(orders: Order[], history: HistoryEntry[]): Check {
  const seen = new Map(history.map((h) => [h.orderId, h]));
  const problems: string[] = [];
  for (const o of orders) {
    const entry = seen.get(o.id);
    if (entry === undefined) problems.push(`${o.id} (${o.status}) is missing from its customer's order history`);
    else if (entry.status !== o.status)
      problems.push(`${o.id} is ${o.status}, its customer's order history says ${entry.status}`);
    else
      for (const [fact, actual, shown] of [
        ['total', rupees(o.total.amount), rupees(entry.total.amount)],
        ['itemCount', o.items.reduce((n, i) => n + i.quantity, 0), entry.itemCount],
        ['trackingNumber', o.shipping?.trackingNumber ?? 'none', entry.trackingNumber ?? 'none'],
      ] as const)
        if (actual !== shown)
          problems.push(`${o.id} has ${fact} ${actual}, its customer's order history says ${shown}`);
  }
  return {
    name: `every order in its customer's order history, with its status, total, items and tracking number (${history.length} entries)`,
    ok: problems.length === 0,
    problems,
  };
}

/** Logs in as the admin and answers a GET of the admin API that throws on any status but 2xx. */
export async function adminApi(baseUrl: string, credentials: { email: string; password: string }) {
  const login = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  if (!login.ok)
    throw new Error(`admin login failed with ${login.status}: set BAZAAR_ADMIN_EMAIL and BAZAAR_ADMIN_PASSWORD`);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${accessToken}` } });
    if (!res.ok) throw new Error(`GET ${path} answered ${res.status}`);
    return (await res.json()) as T;
  };
  return {
    get,
    async all<T>(path: string): Promise<T[]> {
      const items: T[] = [];
      for (let cursor: string | null = null; ; ) {
        const page: { items: T[]; nextCursor: string | null } = await get(
          `${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        items.push(...page.items);
        cursor = page.nextCursor;
        if (!cursor) return items;
      }
    },
  };
}
