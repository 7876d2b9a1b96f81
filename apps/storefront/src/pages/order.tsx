// Order page: what was bought and where it goes, with its status following the order's event stream live
// (confirmed, shipped, delivered) without a reload.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Alert, Loading, StatusBadge, shortOrderId, statusLabel, When } from '../components/bits.tsx';
import { Link } from '../components/link.tsx';
import type { Order } from '../lib/api.ts';
import { formatMoney } from '../lib/money.ts';
import { hasParcel, isNewerStatus } from '../lib/order-status.ts';
import { type FollowState, followOrder, isFinal, type OrderStatus, type StatusEvent } from '../lib/order-stream.ts';
import { headline, orderTitle, paymentLine, type Reader } from '../lib/order-words.ts';
import { ApiError, friendlyMessage, namesNothing } from '../lib/problems.ts';
import { loginPath, productPath, trackPath } from '../lib/routes.ts';
import {
  api,
  cartActions,
  getState,
  markReady,
  navigate,
  sessionEnded,
  showNotice,
  useAppState,
  useTitle,
} from '../state.ts';

function Steps({ status, times }: { status: OrderStatus; times: Record<string, string> }) {
  const failed = status === 'REJECTED' || status === 'CANCELLED';
  const steps: { key: string; label: string }[] = [
    // Not 'Placed': a rejected order would read 'Placed ✓, Not placed ✗'.
    { key: 'PENDING', label: 'Order received' },
    { key: 'CONFIRMED', label: 'Confirmed' },
    { key: 'SHIPPED', label: 'Shipped' },
    { key: 'DELIVERED', label: 'Delivered' },
  ];
  const shown = failed
    ? [...steps.filter((s) => times[s.key] || s.key === 'PENDING'), { key: status, label: statusLabel(status) }]
    : steps;
  return (
    <ol class={`steps${failed ? ' steps--failed' : ''}`} aria-label="Order progress">
      {shown.map((step) => {
        const done = failed || step.key === status || isNewerStatus(step.key, status);
        const isCurrent = step.key === status;
        return (
          <li
            key={step.key}
            class={`step${done ? ' step--done' : ''}${isCurrent ? ' step--current' : ''}`}
            aria-current={isCurrent ? 'step' : undefined}
          >
            <span class="step-dot" aria-hidden="true" />
            <span class="step-label">
              <span class="visually-hidden">{done ? (isCurrent ? 'Current: ' : 'Done: ') : 'Next: '}</span>
              {step.label}
            </span>
            {times[step.key] && (
              <span class="step-time">
                <When at={times[step.key]} />
              </span>
            )}
          </li>
        );
      })}
    </ol>
  );
}

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
  const [order, setOrder] = useState<Order | null>(null);
  const [status, setStatus] = useState<OrderStatus | null>(null);
  const [times, setTimes] = useState<Record<string, string>>({});
  const [details, setDetails] = useState<Record<string, string>>({});
  const [connection, setConnection] = useState<FollowState>('connecting');
  const [error, setError] = useState<ApiError | null>(null);
  const [cancelling, setCancelling] = useState<'ask' | 'busy' | null>(null);
  // The question takes the keyboard's place when asked, and gives it back to Cancel order when the order is kept, or
  // to the status that says it is cancelled once the button is gone.
  const confirmRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const headlineRef = useRef<HTMLParagraphElement>(null);
  const asked = useRef(false);
  useEffect(() => {
    if (cancelling === 'ask') {
      asked.current = true;
      confirmRef.current?.focus();
    } else if (cancelling === null && asked.current) {
      asked.current = false;
      (cancelRef.current ?? headlineRef.current)?.focus();
    }
  }, [cancelling]);
  const [cancelError, setCancelError] = useState<string | null>(null);
  // `?placed=` marks the visit right after checkout: thank the shopper once, and keep it out of the address.
  const [placed] = useState(() => new URLSearchParams(location.search).get('placed'));
  useEffect(() => {
    if (placed) history.replaceState(history.state, '', location.pathname);
  }, []);
  const statusRef = useRef<string | null>(null);
  const reader = useReader(order);
  const title = orderTitle(shortOrderId(id), reader);
  useTitle(title);

  useEffect(() => {
    if (session) return;
    if (!getState().notice) showNotice({ kind: 'info', text: 'Log in to see your order.' });
    navigate(loginPath(`/orders/${encodeURIComponent(id)}`), { replace: true });
  }, [session]);

  useEffect(() => {
    if (!session) return;
    let live = true;
    statusRef.current = null;
    setOrder(null);
    setStatus(null);
    setTimes({});
    setDetails({});
    setError(null);
    /** Shows `next` if it is newer than the status shown; answers whether it was. */
    const advance = (next: OrderStatus) => {
      if (!isNewerStatus(statusRef.current, next)) return false;
      statusRef.current = next;
      setStatus(next);
      return true;
    };
    const refresh = () =>
      api.order(id).then((o) => {
        if (!live) return o;
        setOrder(o);
        advance(o.status);
        markReady();
        return o;
      });

    const follow = () =>
      followOrder({
        url: `/api/orders/${encodeURIComponent(id)}/events`,
        token: () => getState().session?.token,
        poll: async (): Promise<StatusEvent> => {
          const o = await refresh();
          return { status: o.status, at: o.updatedAt };
        },
        onStatus: (event) => {
          if (!live) return;
          setTimes((t) => (t[event.status] ? t : { ...t, [event.status]: event.at }));
          const { detail } = event;
          if (detail) setDetails((d) => (d[event.status] ? d : { ...d, [event.status]: detail }));
          // The stream replays every past status first; only a newer one may bring new facts (payment reference,
          // courier, tracking number), so only then is the order read again.
          if (advance(event.status)) refresh().catch(() => {});
        },
        onState: (state) => live && setConnection(state),
        onError: (e) => {
          if (e.status === 404) setError(new ApiError({ status: 404, code: 'NOT_FOUND' }));
          if (e.status === 401) sessionEnded();
        },
      });

    // The stream starts once the order has loaded: an unknown id is one request (its 404), not two.
    let follower: { stop: () => void } | undefined;
    refresh()
      .then(() => {
        if (live) follower = follow();
      })
      .catch((e: unknown) => live && e instanceof ApiError && setError(e));
    return () => {
      live = false;
      follower?.stop();
    };
  }, [id, Boolean(session)]);

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

  const cancel = async () => {
    setCancelling('busy');
    setCancelError(null);
    try {
      const o = await api.cancelOrder(order.id);
      setOrder(o);
      statusRef.current = o.status;
      setStatus(o.status);
      setCancelling(null);
    } catch (e) {
      setCancelError(e instanceof ApiError ? friendlyMessage(e.problem) : String(e));
      setCancelling(null);
    }
  };

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
        <Steps status={status} times={times} />
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
        {cancelError && <Alert>{cancelError}</Alert>}
        {canCancel &&
          (cancelling === 'ask' ? (
            <div class="confirm">
              <p>
                {reader.own ? 'Cancel this order?' : `Cancel ${reader.customer ?? 'the customer'}’s order?`} Any payment
                is refunded.
              </p>
              <button type="button" class="button button--danger" onClick={cancel} ref={confirmRef}>
                Yes, cancel the order
              </button>{' '}
              <button type="button" class="button button--secondary" onClick={() => setCancelling(null)}>
                Keep the order
              </button>
            </div>
          ) : (
            <button
              type="button"
              class="button button--secondary"
              disabled={cancelling === 'busy'}
              onClick={() => setCancelling('ask')}
              ref={cancelRef}
            >
              {cancelling === 'busy' ? 'Cancelling…' : 'Cancel order'}
            </button>
          ))}
      </section>

      <div class="layout-two">
        <section class="card" aria-labelledby="items-title">
          <h2 id="items-title">Items</h2>
          <table class="items">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col" class="num">
                  Qty
                </th>
                <th scope="col" class="num">
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {order.items.map((item) => (
                <tr key={item.sku}>
                  <td>
                    <Link href={productPath(item.sku)}>{item.name}</Link>
                    <div class="muted small">{formatMoney(item.unitPrice)} each</div>
                  </td>
                  <td class="num">{item.quantity}</td>
                  <td class="num nowrap">
                    {formatMoney({ amount: item.unitPrice.amount * item.quantity, currency: item.unitPrice.currency })}
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={2}>
                  Subtotal
                </th>
                <td class="num nowrap">{formatMoney(order.subtotal)}</td>
              </tr>
              <tr>
                <th scope="row" colSpan={2}>
                  Shipping to {order.shipping.city}
                </th>
                <td class="num nowrap">{formatMoney(order.shippingFee)}</td>
              </tr>
              <tr class="total">
                <th scope="row" colSpan={2}>
                  Total
                </th>
                <td class="num nowrap">{formatMoney(order.total)}</td>
              </tr>
            </tfoot>
          </table>
        </section>
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
