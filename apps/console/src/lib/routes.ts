// routes: the console's pages and their paths, all under /console (the gateway answers index.html for each).
import { matchPage, type Params } from '@bazaar/kit/page-match';

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

/**
 * Every page by its whole path (a `:name` segment takes any one segment). matchRoute reads it, and the build hands it
 * to the gateway (dist/routes.json), which answers 404 for a path of none of them while still sending the console.
 */
const PAGES: readonly (readonly [string, (params: Params) => Route])[] = [
  [paths.services, () => ({ page: 'services' })],
  [paths.traces, () => ({ page: 'traces' })],
  [`${paths.traces}/:traceId`, ({ traceId }) => ({ page: 'trace', traceId })],
  [paths.messaging, () => ({ page: 'messaging' })],
  [paths.orders, () => ({ page: 'orders' })],
  [`${paths.orders}/:orderId`, ({ orderId }) => ({ page: 'order', orderId })],
  [paths.catalogue, () => ({ page: 'catalogue' })],
];

export const PAGE_PATHS = PAGES.map(([path]) => path);

/** matchRoute turns a location path into the page it shows; a mangled link (broken `%` encoding) names no page. */
export function matchRoute(pathname: string): Route {
  const found = matchPage(PAGES, pathname, { strict: true });
  return found ? found.value(found.params) : { page: 'not-found' };
}

/** A W3C trace id as responses carry it in x-trace-id: 32 lowercase hex digits. */
export const isTraceId = (text: string) => /^[0-9a-f]{32}$/.test(text);
export const isOrderId = (text: string) => /^ord_[\w-]{1,96}$/.test(text);
