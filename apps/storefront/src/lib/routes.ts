// routes: the storefront's pages by URL path (History routing; the gateway answers index.html for them).

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

const decode = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** safeNext keeps a post-login redirect on this site: a path, never `//host` or a full URL. */
export function safeNext(next: string | null): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}

export function matchRoute(pathname: string, search = ''): Route {
  const params = new URLSearchParams(search);
  const parts = pathname.split('/').filter(Boolean).map(decode);
  const [first, second, third] = parts;
  if (third !== undefined) return { page: 'not-found' };
  switch (first) {
    case undefined:
      return { page: 'catalogue', q: searchOf(params) };
    case 'products':
      return second ? { page: 'product', sku: second } : { page: 'catalogue', q: searchOf(params) };
    case 'cart':
      return second ? { page: 'not-found' } : { page: 'cart' };
    case 'checkout':
      return second ? { page: 'not-found' } : { page: 'checkout' };
    case 'orders':
      return second ? { page: 'order', id: second } : { page: 'orders' };
    case 'track':
      return { page: 'track', trackingNumber: second ?? params.get('number')?.trim() ?? '' };
    case 'login':
      return second ? { page: 'not-found' } : { page: 'login', next: safeNext(params.get('next')) };
    case 'signup':
      return second ? { page: 'not-found' } : { page: 'signup', next: safeNext(params.get('next')) };
    case 'admin':
      return second ? { page: 'not-found' } : { page: 'admin' };
    case 'account':
      return second ? { page: 'not-found' } : { page: 'profile' };
    default:
      return { page: 'not-found' };
  }
}

export const productPath = (sku: string) => `/products/${encodeURIComponent(sku)}`;
export const orderPath = (id: string) => `/orders/${encodeURIComponent(id)}`;
export const trackPath = (trackingNumber: string) => `/track/${encodeURIComponent(trackingNumber)}`;
export const loginPath = (next: string) => (next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`);
export const signupPath = (next: string) => (next === '/' ? '/signup' : `/signup?next=${encodeURIComponent(next)}`);

/** The longest search the API takes (`q` of GET /api/products); a longer one in the address is cut to it. */
export const SEARCH_MAX = 100;
const searchOf = (params: URLSearchParams) => (params.get('q')?.trim() ?? '').slice(0, SEARCH_MAX).trim();
