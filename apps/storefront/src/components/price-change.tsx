// PriceChange: a product's price in the admin's stock table, with a small form that changes it in place.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Product } from '../lib/api.ts';
import { formatMoney, formatPkr, parseRupees } from '../lib/money.ts';
import { fieldErrors, friendlyMessage, MAX_PRICE_RUPEES, problemOf } from '../lib/problems.ts';
import { api } from '../state.ts';

export function PriceChange({ product, onDone }: { product: Product; onDone: (message: string) => void }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  // The keyboard goes into the form when it opens, and back to Change when it closes.
  const wasOpen = useRef(false);
  useEffect(() => {
    if (open) input.current?.select();
    else if (wasOpen.current) opener.current?.focus();
    wasOpen.current = open;
  }, [open]);
  const id = `price-${product.sku}`;

  const submit = async (event: Event) => {
    event.preventDefault();
    const paisa = parseRupees(text);
    if (paisa === null) return setError('Enter a price in rupees, like 1499 or 1,499.50.');
    if (paisa > MAX_PRICE_RUPEES * 100)
      return setError(`Enter a price up to Rs ${MAX_PRICE_RUPEES.toLocaleString('en-US')}.`);
    if (paisa === product.price.amount) return setError(`${formatMoney(product.price)} is already its price.`);
    setBusy(true);
    setError(null);
    try {
      const after = await api.editProduct(product.sku, { price: { amount: paisa, currency: 'PKR' } });
      setOpen(false);
      onDone(
        `${after.name}: price changed from ${formatMoney(product.price)} to ${formatMoney(after.price)}. Orders already placed keep their price.`,
      );
    } catch (e) {
      const problem = problemOf(e);
      setError(fieldErrors(problem).price ?? friendlyMessage(problem));
    } finally {
      setBusy(false);
    }
  };

  if (!open)
    return (
      <div class="price-change">
        <span>{formatMoney(product.price)}</span>
        <button
          type="button"
          class="linklike small"
          ref={opener}
          onClick={() => {
            setText(formatPkr(product.price.amount).replace(/^Rs /, ''));
            setError(null);
            setOpen(true);
          }}
        >
          Change<span class="visually-hidden"> the price of {product.name}</span>
        </button>
      </div>
    );
  return (
    <form class="price-change" onSubmit={submit} aria-label={`Price of ${product.name}`} noValidate>
      <label for={`${id}-input`} class="visually-hidden">
        New price of {product.name}, in rupees
      </label>
      <input
        id={`${id}-input`}
        ref={input}
        name="price"
        inputMode="decimal"
        value={text}
        class="input-small"
        aria-invalid={Boolean(error)}
        aria-describedby={error ? `${id}-error` : undefined}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
      />
      <button type="submit" class="button button--small" disabled={busy}>
        {busy ? 'Saving…' : 'Save'}
        <span class="visually-hidden"> the price of {product.name}</span>
      </button>
      <button type="button" class="button button--small button--secondary" onClick={() => setOpen(false)}>
        Cancel<span class="visually-hidden"> changing the price of {product.name}</span>
      </button>
      {error && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
