// Admin: every product with its price and stock (on hand, reserved, available), a form to add a product, price
// changes and restocking.
import { useEffect, useState } from 'preact/hooks';
import { Alert, Loading } from '../components/bits.tsx';
import { Link } from '../components/link.tsx';
import { NewProduct } from '../components/new-product.tsx';
import { PriceChange } from '../components/price-change.tsx';
import { Restock } from '../components/restock.tsx';
import { allPages, type Product, type StockLevel } from '../lib/api.ts';
import { formatMoney } from '../lib/money.ts';
import { friendlyMessage, problemOf } from '../lib/problems.ts';
import { loginPath, productPath } from '../lib/routes.ts';
import { api, getState, markReady, navigate, showNotice, useAppState, useTitle } from '../state.ts';

type Row = Product & { stock: StockLevel | undefined };

async function loadRows(): Promise<Row[]> {
  const [products, stock] = await Promise.all([
    allPages((cursor) => api.products('', cursor, 100)),
    allPages((cursor) => api.stock(cursor)),
  ]);
  const bySku = new Map(stock.map((s) => [s.sku, s]));
  return products.map((p) => ({ ...p, stock: bySku.get(p.sku) }));
}

export function Admin() {
  useTitle('Admin: products and stock');
  const session = useAppState((s) => s.session);
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  // A row's change is said under its stock form: on a phone the page's own message is a long scroll away.
  const [rowMessage, setRowMessage] = useState<{ sku: string; text: string } | null>(null);
  const isAdmin = session?.user.role === 'admin';

  const reload = () =>
    loadRows()
      .then((r) => {
        setRows(r);
        markReady();
      })
      .catch((e: unknown) => setError(friendlyMessage(problemOf(e))));

  useEffect(() => {
    if (!session) {
      if (!getState().notice) showNotice({ kind: 'info', text: 'Log in as an administrator to manage products.' });
      navigate(loginPath('/admin'), { replace: true });
      return;
    }
    if (isAdmin) reload();
    else markReady();
  }, [session?.user.id]);

  if (!session) return <Loading />;
  if (!isAdmin)
    return (
      <>
        <h1>Admin</h1>
        <Alert>This page is only for administrators.</Alert>
        <p>
          <Link href="/">Back to the shop</Link>
        </p>
      </>
    );

  const done = (text: string, sku?: string) => {
    setMessage(sku ? null : text);
    setRowMessage(sku ? { sku, text } : null);
    reload();
  };

  return (
    <>
      <h1>Products and stock</h1>
      <div role="status" class="admin-message">
        {message && <p class="alert alert--success">{message}</p>}
      </div>
      {error && <Alert>{error}</Alert>}
      <NewProduct onCreated={(p) => done(`Added ${p.name} (${p.sku}) at ${formatMoney(p.price)}.`)} />
      {!rows && !error && <Loading label="Loading stock…" />}
      {rows && (
        <section class="table-wrap" aria-labelledby="stock-caption">
          <table class="stock-table">
            <caption id="stock-caption">
              {rows.length} products. Add stock with a positive number, remove it with a negative one.
            </caption>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col" class="num">
                  Price
                </th>
                <th scope="col" class="num">
                  On hand
                </th>
                <th scope="col" class="num">
                  Reserved
                </th>
                <th scope="col" class="num">
                  Available
                </th>
                <th scope="col">Change stock</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.sku} data-sku={row.sku}>
                  <th scope="row">
                    <Link href={productPath(row.sku)}>{row.name}</Link>
                    <div class="muted small">{row.sku}</div>
                  </th>
                  <td class="num nowrap" data-label="Price">
                    <PriceChange product={row} onDone={(text) => done(text, row.sku)} />
                  </td>
                  <td class="num" data-col="on-hand" data-label="On hand">
                    {row.stock?.onHand ?? '—'}
                  </td>
                  <td class="num" data-label="Reserved">
                    {row.stock?.reserved ?? '—'}
                  </td>
                  <td class="num" data-col="available" data-label="Available">
                    <strong>{row.available}</strong>
                  </td>
                  <td data-label="Change stock">
                    <Restock row={row} onDone={(text) => done(text, row.sku)} />
                    <div role="status" class="row-message small">
                      {rowMessage?.sku === row.sku && rowMessage.text}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}
