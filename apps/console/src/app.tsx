// App: the console's shell (skip link, header with the sections and the admin's session) and the page switch.

import { PageTitle } from './components/bits.tsx';
import { Link } from './components/link.tsx';
import { matchRoute, paths, type Route } from './lib/routes.ts';
import { CataloguePage } from './pages/catalogue.tsx';
import { Login } from './pages/login.tsx';
import { MessagingPage } from './pages/messaging.tsx';
import { OrderPage } from './pages/order.tsx';
import { Orders } from './pages/orders.tsx';
import { Services } from './pages/services.tsx';
import { TracePage } from './pages/trace.tsx';
import { Traces } from './pages/traces.tsx';
import { logOut, useLocation, useSession } from './state.ts';

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'services':
      return <Services />;
    case 'traces':
      return <Traces />;
    case 'trace':
      return <TracePage traceId={route.traceId} />;
    case 'messaging':
      return <MessagingPage />;
    case 'orders':
      return <Orders />;
    case 'order':
      // A fresh page per order: nothing of the last one (its data, its settled state) carries over.
      return <OrderPage key={route.orderId} orderId={route.orderId} />;
    case 'catalogue':
      return <CataloguePage />;
    case 'not-found':
      return (
        <>
          <PageTitle title="Not found">Page not found</PageTitle>
          <p>
            The console has no such page. Go to <Link href={paths.services}>the services</Link>.
          </p>
        </>
      );
  }
}

const sections = [
  { href: paths.services, label: 'Services', pages: ['services'] },
  { href: paths.traces, label: 'Traces', pages: ['traces', 'trace'] },
  { href: paths.orders, label: 'Orders', pages: ['orders', 'order'] },
  { href: paths.catalogue, label: 'Catalogue', pages: ['catalogue'] },
  { href: paths.messaging, label: 'Sagas & messaging', pages: ['messaging'] },
];

export function App() {
  const path = useLocation();
  const { session, notice } = useSession();
  const route = matchRoute(path);
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="brand">
          <span class="logo" aria-hidden="true">
            B
          </span>
          <span>
            Bazaar <span class="brand-sub">operations</span>
          </span>
        </div>
        {session && (
          <nav aria-label="Console sections">
            <ul>
              {sections.map((s) => (
                <li key={s.href}>
                  <Link href={s.href} aria-current={s.pages.includes(route.page) ? 'page' : undefined}>
                    {s.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div class="who">
          {/* The shop is another app: a plain link, a full page load. */}
          <a class="to-shop" href="/">
            Storefront
          </a>
          {session && (
            <>
              <span class="who-name" title={session.email}>
                {session.name}
              </span>
              <button type="button" class="small ghost" onClick={logOut}>
                Log out
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {session ? <Page route={route} /> : <Login notice={notice} />}
      </main>
    </>
  );
}
