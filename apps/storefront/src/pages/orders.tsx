// Orders: the signed-in shopper's order history, newest first.
import { useEffect, useState } from 'preact/hooks';
import { Alert, Loading, StatusBadge, shortOrderId, When } from '../components/bits.tsx';
import { Link } from '../components/link.tsx';
import type { Order } from '../lib/api.ts';
import { formatMoney } from '../lib/money.ts';
import { hasParcel } from '../lib/order-status.ts';
import { headline } from '../lib/order-words.ts';
import { ApiError, friendlyMessage } from '../lib/problems.ts';
import { loginPath, orderPath, trackPath } from '../lib/routes.ts';
import { api, getState, markReady, navigate, showNotice, useAppState, useTitle } from '../state.ts';

function itemsText(order: Order) {
  const [first, ...rest] = order.items;
  if (!first) return '';
  const count = order.items.reduce((n, i) => n + i.quantity, 0);
  return `${first.name}${rest.length ? ` and ${rest.length} more` : ''} (${count} ${count === 1 ? 'item' : 'items'})`;
}

/** An admin's list names each order's customer, asked of the users service; the id until then, or if it cannot. */
function useCustomerNames(orders: Order[] | null, isAdmin: boolean): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    if (!isAdmin || !orders) return;
    const missing = [...new Set(orders.map((o) => o.userId))].filter((id) => !(id in names)).slice(0, 100);
    if (!missing.length) return;
    api
      .users(missing)
      .then((page) => setNames((n) => ({ ...n, ...Object.fromEntries(page.items.map((u) => [u.id, u.name])) })))
      .catch(() => {});
  }, [orders, isAdmin]);
  return names;
}

export function Orders() {
  const session = useAppState((s) => s.session);
  // An admin's list is every customer's orders, not their own.
  const isAdmin = session?.user.role === 'admin';
  const title = isAdmin ? 'All orders' : 'My orders';
  useTitle(title);
  const [orders, setOrders] = useState<Order[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [more, setMore] = useState(false);
  const names = useCustomerNames(orders, isAdmin);

  useEffect(() => {
    if (!session) {
      if (!getState().notice) showNotice({ kind: 'info', text: 'Log in to see your orders.' });
      navigate(loginPath('/orders'), { replace: true });
      return;
    }
    api
      .orders()
      .then((page) => {
        setOrders(page.items);
        setCursor(page.nextCursor);
        markReady();
      })
      .catch((e: unknown) => setError(e instanceof ApiError ? friendlyMessage(e.problem) : String(e)));
  }, [Boolean(session)]);

  const loadMore = async () => {
    setMore(true);
    try {
      const page = await api.orders(cursor);
      setOrders((o) => [...(o ?? []), ...page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e instanceof ApiError ? friendlyMessage(e.problem) : String(e));
    } finally {
      setMore(false);
    }
  };

  return (
    <>
      <h1>{title}</h1>
      {error && <Alert>{error}</Alert>}
      {!orders && !error && <Loading label={isAdmin ? 'Loading the orders…' : 'Loading your orders…'} />}
      {orders && orders.length === 0 && (
        <p class="empty">
          {isAdmin ? (
            'No one has ordered yet.'
          ) : (
            <>
              You have no orders yet. <Link href="/">Start shopping</Link>
            </>
          )}
        </p>
      )}
      {orders && orders.length > 0 && (
        <ul class="order-list" aria-label={`${isAdmin ? 'All' : 'Your'} orders, newest first`}>
          {orders.map((order) => (
            <li key={order.id} class="card order-row">
              <div class="order-row-main">
                <h2 class="order-row-title">
                  <Link href={orderPath(order.id)} class="stretched">
                    Order {shortOrderId(order.id)}
                  </Link>
                </h2>
                <p class="muted small">
                  <When at={order.createdAt} /> · {itemsText(order)}
                  {isAdmin && (
                    <>
                      {' '}
                      · to {order.shipping.city}, customer{' '}
                      {names[order.userId] ? (
                        <span title={order.userId}>{names[order.userId]}</span>
                      ) : (
                        <code>{order.userId}</code>
                      )}
                    </>
                  )}
                </p>
              </div>
              <p class="order-row-total">{formatMoney(order.total)}</p>
              <StatusBadge status={order.status} />
              {order.status === 'CANCELLED' && <p class="order-row-track small muted">Cancelled before it shipped</p>}
              {/* Why it was not placed, as a cancelled order says why it has no parcel. */}
              {order.status === 'REJECTED' && (
                <p class="order-row-track small muted">{headline(order, 'REJECTED', { own: !isAdmin })}</p>
              )}
              {order.shipping.trackingNumber && hasParcel(order.status) && (
                <p class="order-row-track small">
                  <Link href={trackPath(order.shipping.trackingNumber)} class="above">
                    Track {order.shipping.trackingNumber}
                  </Link>
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <p class="center">
          <button type="button" class="button button--secondary" onClick={loadMore} disabled={more}>
            {more ? 'Loading…' : 'Show older orders'}
          </button>
        </p>
      )}
    </>
  );
}
