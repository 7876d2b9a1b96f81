// Order page: what was bought and where it goes, with its status following the order's event stream live
// (confirmed, shipped, delivered) without a reload.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Alert, Loading, StatusBadge, shortOrderId, statusLabel, When } from '../components/bits.tsx';
import { CancelOrder } from '../components/cancel-order.tsx';
import { useFollowedOrder } from '../components/followed-order.ts';
import { Link } from '../components/link.tsx';
import { OrderItems } from '../components/order-items.tsx';
import { OrderSteps } from '../components/order-steps.tsx';
import type { Order } from '../lib/api.ts';
import { hasParcel } from '../lib/order-status.ts';
import { type FollowState, isFinal } from '../lib/order-stream.ts';
import { headline, orderTitle, paymentLine, type Reader } from '../lib/order-words.ts';
import { friendlyMessage, namesNothing } from '../lib/problems.ts';
import { loginPath, trackPath } from '../lib/routes.ts';
import { api, cartActions, getState, navigate, showNotice, useAppState, useTitle } from '../state.ts';

const connectionWords: Partial<Record<FollowState, string>> = {
  connecting: 'Connecting for live updates…',
  live: 'Live: this page updates by itself.',
  reconnecting: 'Connection lost, reconnecting…',
  polling: 'Checking for updates every few seconds.',
};

/** useReader: whose order this is to the one reading it; an admin's view of a customer's order names the customer. */
function useReader(order: Order | null): Reader {
  const me = useAppState((s) => s.session?.user);
  const [customer, setCustomer] = useState<string>();
  const userId = order?.userId;
  const own = !userId || userId === me?.id;
  useEffect(() => {
    setCustomer(undefined);
    if (own || me?.role !== 'admin' || !userId) return;
    let live = true;
    api
      .users([userId])
      .then((page) => live && setCustomer(page.items.find((u) => u.id === userId)?.name))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [userId, own]);
  return own ? { own: true } : { own: false, customer };
}

export function OrderPage({ id }: { id: string }) {
  const session = useAppState((s) => s.session);
  const isAdmin = session?.user.role === 'admin';
  const { order, status, times, details, connection, error, show } = useFollowedOrder(id, Boolean(session));
  const headlineRef = useRef<HTMLParagraphElement>(null);
  // `?placed=` marks the visit right after checkout: thank the shopper once, and keep it out of the address.
  const [placed] = useState(() => new URLSearchParams(location.search).get('placed'));
  useEffect(() => {
    if (placed) history.replaceState(history.state, '', location.pathname);
  }, []);
  const reader = useReader(order);
  const title = orderTitle(shortOrderId(id), reader);
  useTitle(title);

  useEffect(() => {
    if (session) return;
    if (!getState().notice) showNotice({ kind: 'info', text: 'Log in to see your order.' });
    navigate(loginPath(`/orders/${encodeURIComponent(id)}`), { replace: true });
  }, [session]);

  if (!session) return <Loading />;
  if (error)
    return (
      <>
        <h1>{namesNothing(error.problem) ? 'Order not found' : 'Could not load this order'}</h1>
        <Alert>
          {namesNothing(error.problem)
            ? `There is no such order${isAdmin ? '' : ' in your account'}.`
            : friendlyMessage(error.problem)}
        </Alert>
        <p>
          <Link href="/orders">{isAdmin ? 'See all orders' : 'See all your orders'}</Link>
        </p>
      </>
    );
  if (!order || !status) return <Loading label={isAdmin ? 'Loading the order…' : 'Loading your order…'} />;

  const final = isFinal(status);
  const trackingNumber = order.shipping.trackingNumber;
  const canCancel = status === 'CONFIRMED' && (!order.shipping.status || order.shipping.status === 'CREATED');

  return (
    <>
      <div class="page-head">
        <h1>{title}</h1>
        <p class="muted">
          Ordered <When at={order.createdAt} /> · <StatusBadge status={status} />
        </p>
      </div>
      {placed && !final && (
        <Alert kind="success">
          Thank you! We have your order{placed === 'pending' ? ' and are waiting for the payment' : ''}.
        </Alert>
      )}
      <section class={`card status-card status-card--${status.toLowerCase()}`} aria-labelledby="status-title">
        <h2 id="status-title" class="visually-hidden">
          Status
        </h2>
        <div role="status" aria-live="polite" data-testid="order-status" data-status={status}>
          <p class="status-headline" ref={headlineRef} tabIndex={-1}>
            <strong>{statusLabel(status)}.</strong> {headline(order, status, reader, details[status])}
          </p>
        </div>
        <OrderSteps status={status} times={times} />
        {!final && connectionWords[connection] && (
          <p class={`connection connection--${connection}`}>
            <span class="pulse" aria-hidden="true" /> {connectionWords[connection]}
          </p>
        )}
        {trackingNumber && status === 'CANCELLED' && (
          <p data-testid="no-parcel">Cancelled before the courier picked it up: there is no parcel to track.</p>
        )}
        {trackingNumber && hasParcel(status) && (
          <p>
            Tracking number <strong>{trackingNumber}</strong>
            {order.shipping.courier ? ` (${order.shipping.courier})` : ''} ·{' '}
            <Link href={trackPath(trackingNumber)}>Track the parcel</Link>
          </p>
        )}
        {status === 'REJECTED' && reader.own && (
          // Checkout emptied the cart when the order was taken; a payment that failed later must not lose it.
          <button
            type="button"
            class="button"
            onClick={() => {
              cartActions.putBack(order.items);
              showNotice({
                kind: 'success',
                text: `The items of order ${shortOrderId(order.id)} are back in your cart.`,
              });
              navigate('/cart');
            }}
          >
            Put these items back in my cart
          </button>
        )}
        <CancelOrder order={order} reader={reader} offered={canCancel} onCancelled={show} after={headlineRef} />
      </section>

      <div class="layout-two">
        <OrderItems order={order} />
        <aside class="card" aria-labelledby="delivery-title">
          <h2 id="delivery-title">Delivery</h2>
          <p>
            {order.shipping.address}
            <br />
            {order.shipping.city}
            <br />
            {order.shipping.phone}
          </p>
          <h2>Payment</h2>
          <p>
            {paymentLine(order, reader)}
            {order.payment.reference && (
              <>
                <br />
                <span class="muted small">Reference {order.payment.reference}</span>
              </>
            )}
          </p>
        </aside>
      </div>
      <p>
        <Link href="/orders">{isAdmin ? 'All orders' : 'All your orders'}</Link> ·{' '}
        <Link href="/">Continue shopping</Link>
      </p>
    </>
  );
}
