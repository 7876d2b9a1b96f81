// Restock: a product's stock form in the admin's table: how many to add (or, negative, take away) and why.
import { useState } from 'preact/hooks';
import type { Product } from '../lib/api.ts';
import { fieldErrors, friendlyMessage, MAX_QUANTITY, problemOf } from '../lib/problems.ts';
import { api } from '../state.ts';

const most = MAX_QUANTITY.toLocaleString('en-US');

export function Restock({ row, onDone }: { row: Product; onDone: (message: string) => void }) {
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
      const problem = problemOf(e);
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
