// Admin: every product with its price and stock (on hand, reserved, available), a form to add a product, price
// changes and restocking.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Alert, Loading } from '../components/bits.tsx';
import { Field } from '../components/field.tsx';
import { Link } from '../components/link.tsx';
import { PriceChange } from '../components/price-change.tsx';
import { allPages, type Product, type StockLevel } from '../lib/api.ts';
import { formatMoney, parseRupees } from '../lib/money.ts';
import {
  ApiError,
  fieldErrors,
  friendlyMessage,
  MAX_PRICE_RUPEES,
  MAX_QUANTITY,
  type Problem,
} from '../lib/problems.ts';
import { loginPath, productPath } from '../lib/routes.ts';
import { api, getState, markReady, navigate, showNotice, useAppState, useTitle } from '../state.ts';

type Row = Product & { stock: StockLevel | undefined };
const asProblem = (e: unknown): Problem => (e instanceof ApiError ? e.problem : { status: 0, code: 'NETWORK' });
const most = MAX_QUANTITY.toLocaleString('en-US');

async function loadRows(): Promise<Row[]> {
  const [products, stock] = await Promise.all([
    allPages((cursor) => api.products('', cursor, 100)),
    allPages((cursor) => api.stock(cursor)),
  ]);
  const bySku = new Map(stock.map((s) => [s.sku, s]));
  return products.map((p) => ({ ...p, stock: bySku.get(p.sku) }));
}

function Restock({ row, onDone }: { row: Row; onDone: (message: string) => void }) {
  const [delta, setDelta] = useState('10');
  const [reason, setReason] = useState('Restock');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = `restock-${row.sku}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    const n = Number(delta);
    if (!Number.isInteger(n) || n === 0 || Math.abs(n) > MAX_QUANTITY)
      return setError(`Enter a whole number from -${most} to ${most}, other than 0 (negative removes stock).`);
    if (!reason.trim()) return setError('Give a reason, like “Restock” or “Damaged”.');
    setBusy(true);
    setError(null);
    try {
      const product = await api.adjustStock(row.sku, n, reason.trim());
      onDone(
        `${row.name}: stock ${n > 0 ? 'increased' : 'reduced'} by ${Math.abs(n)}, ${product.available} now available.`,
      );
    } catch (e) {
      // This form has no highlighted fields to point at: the refused field's own words instead.
      const problem = asProblem(e);
      const fields = fieldErrors(problem);
      setError(fields.delta ?? fields.reason ?? friendlyMessage(problem));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="restock" onSubmit={submit} aria-label={`Change stock of ${row.name}`} noValidate>
      <label for={`${id}-delta`} class="visually-hidden">
        Quantity to add to {row.name}
      </label>
      <input
        id={`${id}-delta`}
        name="delta"
        type="number"
        inputMode="numeric"
        step={1}
        value={delta}
        class="input-small"
        aria-invalid={Boolean(error)}
        aria-describedby={error ? `${id}-error` : undefined}
        onInput={(e) => setDelta(e.currentTarget.value)}
      />
      <label for={`${id}-reason`} class="visually-hidden">
        Reason for changing the stock of {row.name}
      </label>
      <input
        id={`${id}-reason`}
        name="reason"
        value={reason}
        maxLength={200}
        class="input-reason"
        onInput={(e) => setReason(e.currentTarget.value)}
      />
      <button type="submit" class="button button--small" disabled={busy}>
        {busy ? 'Saving…' : 'Update stock'}
        <span class="visually-hidden"> of {row.name}</span>
      </button>
      {error && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

const emptyProduct = { sku: '', name: '', description: '', price: '', quantity: '0' };

function NewProduct({ onCreated }: { onCreated: (product: Product) => void }) {
  const [values, setValues] = useState(emptyProduct);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof values) => (e: { currentTarget: { value: string } }) =>
    setValues((v) => ({ ...v, [key]: e.currentTarget.value }));
  const form = useRef<HTMLFormElement>(null);
  /** Puts the cursor in the first field that needs fixing, in the order the form shows them. */
  const focusFirst = (found: Record<string, string>) => {
    const first = (['sku', 'name', 'price', 'quantity'] as const).find((f) => found[f]);
    if (first) form.current?.querySelector<HTMLElement>(`#new-${first}`)?.focus();
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const sku = values.sku.trim().toUpperCase();
    const price = parseRupees(values.price);
    const quantity = Number(values.quantity);
    const found: Record<string, string> = {};
    if (!/^[A-Z0-9][A-Z0-9-]{1,39}$/.test(sku))
      found.sku = 'Use 2 to 40 capital letters, digits and hyphens, like LAWN-002.';
    if (!values.name.trim()) found.name = 'Enter the product’s name.';
    if (price === null) found.price = 'Enter a price in rupees, like 1499 or 1,499.50.';
    else if (price > MAX_PRICE_RUPEES * 100)
      found.price = `Enter a price up to Rs ${MAX_PRICE_RUPEES.toLocaleString('en-US')}.`;
    if (!Number.isInteger(quantity) || quantity < 0 || quantity > MAX_QUANTITY)
      found.quantity = `Enter how many you have, from 0 to ${most}.`;
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length) return focusFirst(found);
    setBusy(true);
    try {
      const product = await api.createProduct({
        sku,
        name: values.name.trim(),
        ...(values.description.trim() ? { description: values.description.trim() } : {}),
        price: { amount: price as number, currency: 'PKR' },
        quantity,
      });
      setValues(emptyProduct);
      onCreated(product);
    } catch (e) {
      const problem = asProblem(e);
      const fromApi = fieldErrors(problem);
      if (problem.code === 'SKU_EXISTS') fromApi.sku = 'A product with this SKU already exists.';
      setErrors(fromApi);
      setFailure(friendlyMessage(problem));
      focusFirst(fromApi);
    } finally {
      setBusy(false);
    }
  };

  const input = (
    key: 'sku' | 'name' | 'price' | 'quantity',
    label: string,
    extra: Record<string, unknown> = {},
    hint?: string,
  ) => (
    <Field id={`new-${key}`} label={label} error={errors[key]} hint={hint}>
      {(describedBy, invalid) => (
        <input
          id={`new-${key}`}
          name={key}
          value={values[key]}
          aria-invalid={invalid}
          aria-describedby={describedBy}
          onInput={set(key)}
          {...extra}
        />
      )}
    </Field>
  );

  return (
    <form
      ref={form}
      class="card form-card new-product"
      onSubmit={submit}
      noValidate
      aria-labelledby="new-product-title"
    >
      <h2 id="new-product-title">Add a product</h2>
      {failure && <Alert>{failure}</Alert>}
      <div class="form-grid">
        {input('sku', 'SKU', { autocapitalize: 'characters', spellcheck: false, maxLength: 40 }, 'Like LAWN-002.')}
        {input('name', 'Name', { maxLength: 200 })}
        {input(
          'price',
          'Price (Rs)',
          { inputMode: 'decimal' },
          `In rupees, like 1499; up to Rs ${MAX_PRICE_RUPEES.toLocaleString('en-US')}.`,
        )}
        {input('quantity', 'Stock on hand', { type: 'number', inputMode: 'numeric', min: 0, step: 1 })}
      </div>
      <Field id="new-description" label="Description (optional)">
        {(describedBy) => (
          <textarea
            id="new-description"
            name="description"
            rows={2}
            maxLength={2000}
            value={values.description}
            aria-describedby={describedBy}
            onInput={set('description')}
          />
        )}
      </Field>
      <button type="submit" class="button" disabled={busy}>
        {busy ? 'Adding…' : 'Add product'}
      </button>
    </form>
  );
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
      .catch((e: unknown) => setError(friendlyMessage(asProblem(e))));

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
