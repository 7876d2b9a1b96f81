// One order: its lines and totals, shipping and the shipment's history, its payments and their provider calls, and the
// traces it appears in.
// Until it is final (delivered, rejected, cancelled) it refreshes every 2 s; what hangs off it reloads when it changes.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Freshness, PageTitle, ProblemNotice, StatusPill } from '../components/bits.tsx';
import { Customer, useCustomerNames } from '../components/customer.tsx';
import { Link } from '../components/link.tsx';
import { OrderTraces } from '../components/order-traces.tsx';
import { ProviderCalls } from '../components/provider-calls.tsx';
import { ApiError, type Order } from '../lib/api.ts';
import { rupees, when, ZONE } from '../lib/format.ts';
import { tracesOfOrder } from '../lib/order-traces.ts';
import { isFinal, methodName } from '../lib/orders.ts';
import { paths } from '../lib/routes.ts';
import { api, usePoll } from '../state.ts';

const EVERY_MS = 2_000;

function Facts({ facts }: { facts: [string, ComponentChildren][] }) {
  return (
    <dl class="facts">
      {facts.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function Lines({ order }: { order: Order }) {
  const total = (label: string, money: Order['total']) => (
    <tr>
      <th scope="row" colSpan={2}>
        {label}
      </th>
      <td class="num nowrap">{rupees(money)}</td>
    </tr>
  );
  return (
    <div class="table-wrap">
      <table class="lines">
        <caption class="visually-hidden">The order’s lines and totals</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col" class="num">
              Quantity
            </th>
            <th scope="col" class="num">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          {order.items.map((l) => (
            <tr key={l.sku}>
              <td>
                {l.name}
                <span class="small-print muted">
                  <code>{l.sku}</code> · {rupees(l.unitPrice)} each
                </span>
              </td>
              <td class="num">{l.quantity}</td>
              <td class="num nowrap">{rupees({ ...l.unitPrice, amount: l.unitPrice.amount * l.quantity })}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          {total('Subtotal', order.subtotal)}
          {total('Shipping', order.shippingFee)}
          {total('Total', order.total)}
        </tfoot>
      </table>
    </div>
  );
}

/** The shipment's steps so far, as shipping tracks them. */
function ShipmentHistory({ trackingNumber, version }: { trackingNumber: string; version: string }) {
  const polled = usePoll(() => api.shipment(trackingNumber), 0, [trackingNumber, version]);
  const history = polled.data?.history ?? [];
  return (
    <>
      <h3 class="history-title">Shipment history ({ZONE})</h3>
      <ProblemNotice error={polled.error} what="the shipment" />
      {!polled.data && !polled.error && <p class="muted">Loading…</p>}
      {history.length > 0 && (
        <ol class="history">
          {history.map((h) => (
            <li key={`${h.status}-${h.at}`}>
              <StatusPill status={h.status} /> <time dateTime={h.at}>{when(h.at)}</time>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

function Payments({ orderId, version }: { orderId: string; version: string }) {
  const polled = usePoll(() => api.payments(orderId), 0, [orderId, version]);
  const items = polled.data?.items ?? [];
  return (
    <section class="card" aria-labelledby="payments-title">
      <h2 id="payments-title">Payments</h2>
      <ProblemNotice error={polled.error} what="the payments" />
      {!polled.data && !polled.error && <p class="muted">Loading…</p>}
      {polled.data && items.length === 0 && <p class="muted">Payments holds no payment of this order.</p>}
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="payments stack">
            <caption class="visually-hidden">The order’s payments</caption>
            <thead>
              <tr>
                <th scope="col">Method</th>
                <th scope="col" class="num">
                  Amount
                </th>
                <th scope="col">Status</th>
                <th scope="col">Reference</th>
                <th scope="col">Created ({ZONE})</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id}>
                  <td data-label="Method">{methodName(p.method)}</td>
                  <td data-label="Amount" class="num nowrap">
                    {rupees(p.amount)}
                  </td>
                  <td data-label="Status">
                    <StatusPill status={p.status} />
                  </td>
                  <td data-label="Reference">
                    <code class="id">{p.reference ?? '–'}</code>
                  </td>
                  <td data-label={`Created (${ZONE})`} class="nowrap">
                    <time dateTime={p.createdAt}>{when(p.createdAt)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {items
        .filter((p) => p.method !== 'cod')
        .map((p) => (
          <ProviderCalls key={p.id} paymentId={p.id} version={version} />
        ))}
    </section>
  );
}

function Traces({ orderId, version }: { orderId: string; version: string }) {
  const polled = usePoll(async () => tracesOfOrder((await api.orderLogs(orderId)).items), 0, [orderId, version]);
  return (
    <div class="card">
      {polled.data ? (
        <OrderTraces orderId={orderId} traces={polled.data} />
      ) : (
        <>
          <h2>Traces</h2>
          <ProblemNotice error={polled.error} what="the order’s log lines" />
          {!polled.error && <p class="muted">Looking through every service’s log lines…</p>}
        </>
      )}
    </div>
  );
}

/** `version` changes whenever the order does (or the admin reloads): the parts that hang off it load again then. */
function OrderDetails({ order, version }: { order: Order; version: string }) {
  const { shipping } = order;
  const names = useCustomerNames([order.userId]);
  return (
    <>
      <section class="card" aria-labelledby="summary-title">
        <h2 id="summary-title" class="visually-hidden">
          Summary
        </h2>
        {order.rejectionReason && (
          <p class="notice warn">
            Rejected: <code>{order.rejectionReason}</code>
          </p>
        )}
        <Facts
          facts={[
            ['Status', <StatusPill key="s" status={order.status} />],
            ['Total', <strong key="t">{rupees(order.total)}</strong>],
            ['Customer', <Customer key="c" id={order.userId} names={names} />],
            ['Payment', `${methodName(order.payment.method)} · ${order.payment.status}`],
            [`Placed (${ZONE})`, when(order.createdAt)],
            [`Updated (${ZONE})`, when(order.updatedAt)],
          ]}
        />
      </section>
      <div class="order-grid">
        <section class="card" aria-labelledby="lines-title">
          <h2 id="lines-title">Lines</h2>
          <Lines order={order} />
        </section>
        <section class="card" aria-labelledby="shipping-title">
          <h2 id="shipping-title">Shipping</h2>
          <Facts
            facts={[
              ['City', shipping.city],
              ['Address', shipping.address],
              ['Phone', shipping.phone],
              ['Courier', shipping.courier ?? '–'],
              ['Tracking', shipping.trackingNumber ? <code key="n">{shipping.trackingNumber}</code> : 'not shipped'],
              ['Shipment', shipping.status ?? '–'],
            ]}
          />
          {shipping.trackingNumber && <ShipmentHistory trackingNumber={shipping.trackingNumber} version={version} />}
        </section>
      </div>
      <Payments orderId={order.id} version={version} />
      <Traces orderId={order.id} version={version} />
    </>
  );
}

export function OrderPage({ orderId }: { orderId: string }) {
  const [paused, setPaused] = useState(false);
  // Settled: the order is final, or there is no such order; either way refreshing would show nothing new.
  const [settled, setSettled] = useState(false);
  const [reloads, setReloads] = useState(0);
  const polled = usePoll(
    async () => {
      try {
        const order = await api.order(orderId);
        setSettled(isFinal(order.status));
        return order;
      } catch (e) {
        if (e instanceof ApiError && e.problem.status === 404) setSettled(true);
        throw e;
      }
    },
    EVERY_MS,
    [orderId],
    !paused && !settled,
  );
  const order = polled.data;
  const reload = () => {
    polled.refresh();
    setReloads((n) => n + 1);
  };
  return (
    <>
      <p class="crumbs">
        <Link href={paths.orders}>← Latest orders</Link>
      </p>
      <div class="page-head">
        <PageTitle title={`Order ${orderId.slice(0, 12)}`}>
          Order <code class="heading-id">{orderId}</code>
        </PageTitle>
        {settled ? (
          <div class="freshness">
            <span>{order ? `${order.status}: final, not refreshing` : ''}</span>
            <button type="button" class="small" onClick={reload}>
              Reload
            </button>
          </div>
        ) : (
          <Freshness
            updatedAt={polled.updatedAt}
            live={!paused}
            onToggle={() => setPaused(!paused)}
            everyMs={EVERY_MS}
          />
        )}
      </div>
      {polled.error?.problem.status === 404 ? (
        <p class="notice warn" role="status">
          No order has this id.
        </p>
      ) : (
        <ProblemNotice error={polled.error} what="the order" />
      )}
      {!order && !polled.error && <p class="muted">Loading the order…</p>}
      {order && <OrderDetails order={order} version={`${order.updatedAt}|${reloads}`} />}
    </>
  );
}
