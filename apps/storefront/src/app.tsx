// App: the shell every page shares (skip link, header with search and cart, notices, footer) and the page switch.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Link } from './components/link.tsx';
import { cartCount } from './lib/cart.ts';
import { loginPath, matchRoute, type Route, SEARCH_MAX, signupPath } from './lib/routes.ts';
import { LogIn, SignUp } from './pages/account.tsx';
import { Admin } from './pages/admin.tsx';
import { CartPage } from './pages/cart.tsx';
import { Catalogue } from './pages/catalogue.tsx';
import { Checkout } from './pages/checkout.tsx';
import { NotFound } from './pages/not-found.tsx';
import { OrderPage } from './pages/order.tsx';
import { Orders } from './pages/orders.tsx';
import { ProductPage } from './pages/product.tsx';
import { Profile } from './pages/profile.tsx';
import { Track } from './pages/track.tsx';
import { logOut, navigate, showNotice, useAppState, useLocation } from './state.ts';

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'catalogue':
      return <Catalogue q={route.q} />;
    case 'product':
      return <ProductPage sku={route.sku} />;
    case 'cart':
      return <CartPage />;
    case 'checkout':
      return <Checkout />;
    case 'orders':
      return <Orders />;
    case 'order':
      return <OrderPage id={route.id} />;
    case 'track':
      return <Track trackingNumber={route.trackingNumber} />;
    case 'login':
      return <LogIn next={route.next} />;
    case 'signup':
      return <SignUp next={route.next} />;
    case 'admin':
      return <Admin />;
    case 'profile':
      return <Profile />;
    case 'not-found':
      return <NotFound />;
  }
}

function SearchForm({ q }: { q: string }) {
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  return (
    <search class="search">
      <form
        class="search-form"
        onSubmit={(e) => {
          e.preventDefault();
          const value = text.trim();
          navigate(value ? `/?q=${encodeURIComponent(value)}` : '/');
        }}
      >
        <label for="search-q" class="visually-hidden">
          Search products
        </label>
        <input
          id="search-q"
          type="search"
          name="q"
          placeholder="Search lawn, ajrak, chappals…"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          autocomplete="off"
          enterKeyHint="search"
          maxLength={SEARCH_MAX}
        />
        <button type="submit" class="button button--search">
          Search
        </button>
      </form>
    </search>
  );
}

function Header({ route, here }: { route: Route; here: string }) {
  const session = useAppState((s) => s.session);
  const count = useAppState((s) => cartCount(s.cart));
  const current = (page: Route['page']) => (route.page === page ? 'page' : undefined);
  const next = route.page === 'login' || route.page === 'signup' ? route.next : here;
  return (
    <header class="site-header">
      <div class="header-row">
        <Link href="/" class="brand" aria-label="Bazaar, home">
          <span class="brand-mark" aria-hidden="true">
            ب
          </span>
          Bazaar
        </Link>
        <nav aria-label="Main" class="main-nav">
          <ul>
            <li>
              <Link href="/track" aria-current={current('track')}>
                Track order
              </Link>
            </li>
            {session && (
              <>
                <li>
                  <Link href="/orders" aria-current={current('orders')}>
                    {session.user.role === 'admin' ? 'All orders' : 'My orders'}
                  </Link>
                </li>
                <li>
                  <Link href="/account" aria-current={current('profile')}>
                    My details
                  </Link>
                </li>
              </>
            )}
            {session?.user.role === 'admin' && (
              <>
                <li>
                  <Link href="/admin" aria-current={current('admin')}>
                    Admin
                  </Link>
                </li>
                <li>
                  {/* The console is another app: a plain link, a full page load. */}
                  <a href="/console">Operations console</a>
                </li>
              </>
            )}
            {session ? (
              <li>
                <button type="button" class="linklike" onClick={() => logOut()}>
                  Log out <span class="visually-hidden">{session.user.name}</span>
                </button>
              </li>
            ) : (
              <>
                <li>
                  <Link href={loginPath(next)} aria-current={current('login')}>
                    Log in
                  </Link>
                </li>
                <li>
                  <Link href={signupPath(next)} aria-current={current('signup')}>
                    Sign up
                  </Link>
                </li>
              </>
            )}
          </ul>
        </nav>
        <Link href="/cart" class="cart-link" aria-current={current('cart')}>
          <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
            <path
              fill="currentColor"
              d="M7 18a2 2 0 1 0 0 4 2 2 0 0 0 0-4Zm10 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4ZM5.2 4l.6 3H21l-2.2 8H7.6L4.4 2H1v2h3.2Zm2.7 9h9.4l1.1-4H7.1l.8 4Z"
            />
          </svg>
          Cart
          <span class="cart-count" data-testid="cart-count">
            <span class="visually-hidden">, </span>
            {count}
            <span class="visually-hidden"> {count === 1 ? 'item' : 'items'}</span>
          </span>
        </Link>
      </div>
      <SearchForm q={route.page === 'catalogue' ? route.q : ''} />
      {session && (
        <p class="greeting hide-narrow">
          Signed in as <strong>{session.user.name}</strong>
          {session.user.role === 'admin' ? ' (admin)' : ''}
        </p>
      )}
    </header>
  );
}

function NoticeBar() {
  const notice = useAppState((s) => s.notice);
  // A notice stays for a while, long enough to read, then goes by itself (or at once with Dismiss).
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => showNotice(null), 12_000);
    return () => clearTimeout(timer);
  }, [notice]);
  if (!notice) return null;
  return (
    <div class={`notice notice--${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
      <p>{notice.text}</p>
      <button type="button" class="linklike" onClick={() => showNotice(null)}>
        Dismiss<span class="visually-hidden"> message</span>
      </button>
    </div>
  );
}

export function App() {
  const { pathname, search } = useLocation();
  const route = matchRoute(pathname, search);
  const announcement = useAppState((s) => s.announcement);
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  const here = pathname + search;

  // After moving to another page, focus goes to its heading so keyboard and screen-reader users start there.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    const container = main.current;
    if (!container) return;
    const focusHeading = () => {
      const heading = container.querySelector('h1');
      if (!heading) return false;
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
      return true;
    };
    if (focusHeading()) return;
    // A page still loading has no heading yet: hold focus on <main> and move it to the heading once it shows,
    // unless the user has moved on by then.
    container.focus({ preventScroll: true });
    const observer = new MutationObserver(() => {
      if (document.activeElement !== container || focusHeading()) observer.disconnect();
    });
    observer.observe(container, { childList: true, subtree: true });
    const timer = setTimeout(() => observer.disconnect(), 5_000);
    return () => {
      observer.disconnect();
      clearTimeout(timer);
    };
  }, [pathname, search]);

  return (
    <>
      <a href="#main" class="skip-link">
        Skip to content
      </a>
      <Header route={route} here={here} />
      <NoticeBar />
      <main id="main" ref={main} tabIndex={-1}>
        <Page route={route} />
      </main>
      <footer class="site-footer">
        <p>
          Bazaar · prices in Pakistani rupees, shipping across Pakistan · pay with JazzCash, EasyPaisa or cash on
          delivery
        </p>
        <p>
          <Link href="/track">Track a parcel</Link> · <a href="/docs">API</a>
        </p>
      </footer>
      <div class="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
    </>
  );
}
