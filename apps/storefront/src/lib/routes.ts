// routes: the storefront's pages by URL path (History routing; the gateway answers index.html for them).
import { matchPage, type Params } from '@bazaar/kit/page-match';

export type Route =
  | { page: 'catalogue'; q: string }
  | { page: 'product'; sku: string }
  | { page: 'cart' }
  | { page: 'checkout' }
  | { page: 'orders' }
  | { page: 'order'; id: string }
  | { page: 'track'; trackingNumber: string }
  | { page: 'login'; next: string }
  | { page: 'signup'; next: string }
  | { page: 'admin' }
  | { page: 'profile' }
  | { page: 'not-found' };

/** safeNext keeps a post-login redirect on this site: a path, never `//host` or a full URL. */
export function safeNext(next: string | null): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}

/**
 * Every page by its path (a `:name` segment takes any one segment). matchRoute reads it, and the build hands it to the
 * gateway (dist/routes.json), which answers 404 for a path of none of them while still sending the not-found page.
 */
const PAGES: readonly (readonly [string, (params: Params, query: URLSearchParams) => Route])[] = [
  ['/', (_, query) => ({ page: 'catalogue', q: searchOf(query) })],
  ['/products', (_, query) => ({ page: 'catalogue', q: searchOf(query) })],
  ['/products/:sku', ({ sku }) => ({ page: 'product', sku })],
  ['/cart', () => ({ page: 'cart' })],
  ['/checkout', () => ({ page: 'checkout' })],
  ['/orders', () => ({ page: 'orders' })],
  ['/orders/:id', ({ id }) => ({ page: 'order', id })],
  ['/track', (_, query) => ({ page: 'track', trackingNumber: query.get('number')?.trim() ?? '' })],
  ['/track/:trackingNumber', ({ trackingNumber }) => ({ page: 'track', trackingNumber })],
  ['/login', (_, query) => ({ page: 'login', next: safeNext(query.get('next')) })],
  ['/signup', (_, query) => ({ page: 'signup', next: safeNext(query.get('next')) })],
  ['/admin', () => ({ page: 'admin' })],
  ['/account', () => ({ page: 'profile' })],
];

export const PAGE_PATHS = PAGES.map(([path]) => path);

/** matchRoute turns a location into the page it shows; a mangled link's segment (`%ZZ`) is taken as sent. */
export function matchRoute(pathname: string, search = ''): Route {
  const found = matchPage(PAGES, pathname);
  return found ? found.value(found.params, new URLSearchParams(search)) : { page: 'not-found' };
}

export const productPath = (sku: string) => `/products/${encodeURIComponent(sku)}`;
export const orderPath = (id: string) => `/orders/${encodeURIComponent(id)}`;
export const trackPath = (trackingNumber: string) => `/track/${encodeURIComponent(trackingNumber)}`;
export const loginPath = (next: string) => (next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`);
export const signupPath = (next: string) => (next === '/' ? '/signup' : `/signup?next=${encodeURIComponent(next)}`);

/** The longest search the API takes (`q` of GET /api/products); a longer one in the address is cut to it. */
export const SEARCH_MAX = 100;
const searchOf = (params: URLSearchParams) => (params.get('q')?.trim() ?? '').slice(0, SEARCH_MAX).trim();
