// Orders: every customer's latest orders, newest first, a page at a time, refreshed live; of one status if chosen.
// An order opens by its id too.
import { useState } from 'preact/hooks';
import { Freshness, PageTitle, ProblemNotice, StatusPill } from '../components/bits.tsx';
import { Customer, useCustomerNames } from '../components/customer.tsx';
import { Link } from '../components/link.tsx';
import type { Order } from '../lib/api.ts';
import { rupees, when, ZONE } from '../lib/format.ts';
import { methodName, ORDER_STATUSES } from '../lib/orders.ts';
import { isOrderId, paths } from '../lib/routes.ts';
import { api, navigate, usePoll } from '../state.ts';

const EVERY_MS = 2_000;
const PAGE_SIZE = 20;

function OpenOrder() {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  return (
    <form
      class="open-by-id"
      onSubmit={(e) => {
        e.preventDefault();
        const id = text.trim();
        if (isOrderId(id)) navigate(paths.order(id));
        else setError('Enter an order id: ord_ and what follows it.');
      }}
    >
      <label for="order-id">Open an order by its id</label>
      <div class="inline">
        <input
          id="order-id"
          value={text}
          placeholder="ord_…"
          spellcheck={false}
          autocomplete="off"
          onInput={(e) => {
            setText(e.currentTarget.value);
            setError('');
          }}
          aria-describedby={error ? 'order-id-error' : undefined}
          aria-invalid={error ? true : undefined}
        />
        <button type="submit">Open</button>
      </div>
      {error && (
        <p id="order-id-error" class="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function OrdersTable({ items, caption }: { items: Order[]; caption: string }) {
  const names = useCustomerNames(items.map((o) => o.userId));
  return (
    <div class="table-wrap">
      <table class="orders stack">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Placed ({ZONE})</th>
            <th scope="col">Order</th>
            <th scope="col">Customer</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Total
            </th>
            <th scope="col">Payment</th>
          </tr>
        </thead>
        <tbody>
          {items.map((o) => (
            <tr key={o.id}>
              <td data-label={`Placed (${ZONE})`} class="nowrap">
                <time dateTime={o.createdAt}>{when(o.createdAt)}</time>
              </td>
              <td data-label="Order">
                <Link href={paths.order(o.id)} class="row-link">
                  <code>{o.id}</code>
                </Link>
              </td>
              <td data-label="Customer">
                <Customer id={o.userId} names={names} />
              </td>
              <td data-label="Status">
                <StatusPill status={o.status} />
              </td>
              <td data-label="Total" class="num nowrap">
                {rupees(o.total)}
              </td>
              <td data-label="Payment">
                <span>
                  {methodName(o.payment.method)} <StatusPill status={o.payment.status} />
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Orders() {
  const [live, setLive] = useState(true);
  const [status, setStatus] = useState('');
  // The cursors of the pages walked through, the first page's (none) first: Newer goes back one.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  // What the answer was for: a page of another filter or cursor is not shown while the next one loads.
  const key = `${status}|${cursor ?? ''}`;
  const polled = usePoll(
    async () => ({ key, page: await api.orders({ status: status || undefined, cursor, limit: PAGE_SIZE }) }),
    EVERY_MS,
    [status, cursor],
    live,
  );
  const page = polled.data?.key === key ? polled.data.page : undefined;
  const next = page?.nextCursor;
  const what = status ? `${status} orders` : 'orders';
  return (
    <>
      <div class="page-head">
        <PageTitle title="Orders">Latest orders</PageTitle>
        <Freshness updatedAt={polled.updatedAt} live={live} onToggle={() => setLive(!live)} everyMs={EVERY_MS} />
      </div>
      <div class="order-tools">
        <div>
          <label for="order-status">Status</label>
          <select
            id="order-status"
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value);
              setCursors([undefined]);
            }}
          >
            <option value="">Any status</option>
            {ORDER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <OpenOrder />
      </div>
      <ProblemNotice error={polled.error} what="the orders" />
      {!page && !polled.error && <p class="muted">Loading the {what}…</p>}
      {page && page.items.length === 0 && (
        <p class="muted">{cursors.length > 1 ? `No older ${what}.` : `No ${what} yet.`}</p>
      )}
      {page && page.items.length > 0 && (
        <OrdersTable items={page.items} caption={`The latest ${what}, newest first, page ${cursors.length}`} />
      )}
      <nav class="pager" aria-label="Pages of orders">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← Newer
        </button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={!next} onClick={() => next && setCursors([...cursors, next])}>
          Older →
        </button>
      </nav>
    </>
  );
}
