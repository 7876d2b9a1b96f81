// NewProduct: the admin's form that adds a product to the catalogue with its price and first stock.
import { useRef, useState } from 'preact/hooks';
import type { Product } from '../lib/api.ts';
import { parseRupees } from '../lib/money.ts';
import { fieldErrors, friendlyMessage, MAX_PRICE_RUPEES, MAX_QUANTITY, problemOf } from '../lib/problems.ts';
import { api } from '../state.ts';
import { Alert } from './bits.tsx';
import { Field } from './field.tsx';

const most = MAX_QUANTITY.toLocaleString('en-US');

const emptyProduct = { sku: '', name: '', description: '', price: '', quantity: '0' };

export function NewProduct({ onCreated }: { onCreated: (product: Product) => void }) {
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
      const problem = problemOf(e);
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
