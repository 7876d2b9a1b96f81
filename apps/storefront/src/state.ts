// state: the app's shared state (session, cart, notices), its actions, and the hooks pages read it with.
import { browserStorage } from '@bazaar/web-kit/stored-session';
import { useEffect, useState } from 'preact/hooks';
import { createApi, type Order, type Product } from './lib/api.ts';
import {
  addLines,
  addToCart,
  CART_KEY,
  type Cart,
  emptyCart,
  loadCart,
  removeFromCart,
  saveCart,
  setQuantity,
} from './lib/cart.ts';
import { loadSession, SESSION_KEY, type Session, saveSession } from './lib/session.ts';

export type Notice = { kind: 'info' | 'success' | 'error'; text: string };
type AppState = { session: Session | null; cart: Cart; notice: Notice | null; announcement: string };

const storage = browserStorage('localStorage');

let state: AppState = { session: loadSession(storage), cart: loadCart(storage), notice: null, announcement: '' };
const listeners = new Set<() => void>();

export const getState = () => state;

function update(patch: Partial<AppState>) {
  state = { ...state, ...patch };
  for (const listener of listeners) listener();
}

/** useAppState re-renders the component when the part of the state it selects changes. */
export function useAppState<T>(select: (s: AppState) => T): T {
  const [value, setValue] = useState(() => select(state));
  useEffect(() => {
    const listener = () => setValue(() => select(state));
    listeners.add(listener);
    listener();
    return () => void listeners.delete(listener);
  }, []);
  return value;
}

// The token of a login in progress, before its user is known.
let pendingToken: string | undefined;

/** sessionEnded forgets a session the API no longer accepts (expired token) and asks to log in again. */
export function sessionEnded() {
  if (!state.session) return;
  setSession(null);
  showNotice({ kind: 'error', text: 'Your session has ended. Please log in again.' });
}

export const api = createApi({ token: () => pendingToken ?? state.session?.token, onUnauthenticated: sessionEnded });

function setSession(session: Session | null) {
  saveSession(storage, session);
  update({ session });
}

export async function logIn(email: string, password: string): Promise<Session> {
  const login = await api.logIn(email, password);
  pendingToken = login.accessToken;
  try {
    const user = await api.me();
    const session = { token: login.accessToken, expiresAt: Date.now() + login.expiresIn * 1000, user };
    setSession(session);
    return session;
  } finally {
    pendingToken = undefined;
  }
}

/** userChanged keeps the session's copy of the user as the API last answered it (after a profile change). */
export function userChanged(user: Session['user']) {
  if (state.session) setSession({ ...state.session, user });
}

/** logOut ends the session and empties the cart: the next person to log in on this device must not inherit it. */
export function logOut() {
  setSession(null);
  setCart(emptyCart());
  showNotice({ kind: 'info', text: 'You have logged out.' });
}

function setCart(cart: Cart) {
  saveCart(storage, cart);
  update({ cart });
}

export const cartActions = {
  add: (product: Product, quantity = 1) => {
    const held = (cart: Cart) => cart.lines.find((l) => l.sku === product.sku)?.quantity ?? 0;
    const before = held(state.cart);
    setCart(addToCart(state.cart, product, quantity));
    // Added only if the line grew: at the limit, addToCart answers a new cart with the same quantity.
    const added = held(state.cart) > before;
    announce(added ? `Added ${product.name} to your cart.` : `No more ${product.name} can be added.`);
    return added;
  },
  set: (sku: string, quantity: number) => setCart(setQuantity(state.cart, sku, quantity)),
  remove: (sku: string) => setCart(removeFromCart(state.cart, sku)),
  replace: (cart: Cart) => setCart(cart),
  /** putBack returns an order's items to the cart, as when its payment failed after the cart was emptied. */
  putBack: (items: Order['items']) => setCart(addLines(state.cart, items)),
  clear: () => setCart(emptyCart()),
};

export function showNotice(notice: Notice | null) {
  update({ notice });
}

/** announce speaks a short message through the polite live region (screen readers), without moving focus. */
export function announce(text: string) {
  update({ announcement: '' });
  setTimeout(() => update({ announcement: text }), 50);
}

// Another tab logging in or changing the cart is reflected here too.
window.addEventListener('storage', (event) => {
  if (event.key === CART_KEY || event.key === null) update({ cart: loadCart(storage) });
  if (event.key === SESSION_KEY || event.key === null) update({ session: loadSession(storage) });
});

// Navigation (History API): pages link with <Link>, code moves with navigate().
const NAVIGATE = 'bazaar:navigate';

export function navigate(to: string, options: { replace?: boolean } = {}) {
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE));
}

export function useLocation() {
  const read = () => ({ pathname: location.pathname, search: location.search });
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const onChange = () => {
      const now = read();
      setLoc((was) => (was.pathname === now.pathname && was.search === now.search ? was : now));
    };
    window.addEventListener('popstate', onChange);
    window.addEventListener(NAVIGATE, onChange);
    // A page's own effects run before this one and may already have navigated (a redirect to the login form).
    onChange();
    return () => {
      window.removeEventListener('popstate', onChange);
      window.removeEventListener(NAVIGATE, onChange);
    };
  }, []);
  return loc;
}

/** useTitle names the page in the tab and for screen readers' page announcements. */
export function useTitle(title: string) {
  useEffect(() => {
    document.title = title === 'Bazaar' ? title : `${title} · Bazaar`;
  }, [title]);
}

let readyMarked = false;
/** markReady records when the first page shows its content, for the speed check. */
export function markReady() {
  if (readyMarked) return;
  readyMarked = true;
  performance.mark('bazaar:ready');
  document.documentElement.dataset.ready = 'true';
}
