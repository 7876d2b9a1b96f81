// routes: the console's pages and their paths, all under /console (the gateway answers index.html for each).

export const BASE = '/console';

export type Route =
  | { page: 'services' }
  | { page: 'traces' }
  | { page: 'trace'; traceId: string }
  | { page: 'messaging' }
  | { page: 'orders' }
  | { page: 'order'; orderId: string }
  | { page: 'catalogue' }
  | { page: 'not-found' };

export const paths = {
  services: BASE,
  traces: `${BASE}/traces`,
  trace: (traceId: string) => `${BASE}/traces/${encodeURIComponent(traceId)}`,
  messaging: `${BASE}/messaging`,
  orders: `${BASE}/orders`,
  order: (orderId: string) => `${BASE}/orders/${encodeURIComponent(orderId)}`,
  catalogue: `${BASE}/catalogue`,
};

/** The page of one item under a section: /console/traces/{id}, /console/orders/{id}; undefined when malformed. */
function itemOf(path: string, section: string): string | undefined {
  const match = new RegExp(`^${BASE}/${section}/([^/]+)$`).exec(path);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}

/** matchRoute turns a location path into the page it shows. */
export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === BASE) return { page: 'services' };
  if (path === paths.traces) return { page: 'traces' };
  if (path === paths.messaging) return { page: 'messaging' };
  if (path === paths.orders) return { page: 'orders' };
  if (path === paths.catalogue) return { page: 'catalogue' };
  const traceId = itemOf(path, 'traces');
  if (traceId) return { page: 'trace', traceId };
  const orderId = itemOf(path, 'orders');
  if (orderId) return { page: 'order', orderId };
  return { page: 'not-found' };
}

/** A W3C trace id as responses carry it in x-trace-id: 32 lowercase hex digits. */
export const isTraceId = (text: string) => /^[0-9a-f]{32}$/.test(text);
export const isOrderId = (text: string) => /^ord_[\w-]{1,96}$/.test(text);
