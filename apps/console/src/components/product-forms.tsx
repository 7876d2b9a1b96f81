// A product's two forms, opened from its row: adjust its stock (a delta and a reason), and edit its name, description or
// price. Each says in words why the API refused, beside the field concerned, and hands back what changed.
import { useState } from 'preact/hooks';
import type { Problem, Product } from '../lib/api.ts';
import {
  type EditBody,
  fieldErrorsOf,
  type Read,
  readAdjustment,
  readEdit,
  stockConflictText,
} from '../lib/catalogue.ts';
import { rupees } from '../lib/format.ts';
import { paisaAsInput } from '../lib/number-input.ts';
import { api } from '../state.ts';
import { Field, FormActions, FormError, useSubmit } from './field.tsx';

export type FormProps = { product: Product; onDone: (outcome: string) => void; onClose: () => void };

/** The words for a refusal that no one field explains. */
const refusal = (problem: Problem) =>
  problem.code === 'NOT_FOUND'
    ? 'This product is no longer in the catalogue.'
    : `The change was refused: ${problem.detail} (${problem.code})`;

export function AdjustStockForm({ product, onDone, onClose }: FormProps) {
  const [delta, setDelta] = useState('');
  const [reason, setReason] = useState('');
  const { form, errors, busy, submit } = useSubmit(
    () => readAdjustment({ delta, reason }),
    async (body) => {
      const after = await api.adjustStock(product.sku, body);
      const by = body.delta;
      onDone(
        `${product.sku}: ${by > 0 ? `${by} added` : `${-by} removed`} (${body.reason}); ${after.available} available.`,
      );
    },
    (problem) => {
      if (problem.code === 'STOCK_CONFLICT') return { delta: stockConflictText(problem) };
      if (problem.code === 'VALIDATION_FAILED') return fieldErrorsOf(problem.errors, ['delta', 'reason']);
      return { form: refusal(problem) };
    },
  );
  const id = `adjust-${product.sku}`;

  return (
    <form ref={form} class="row-form" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        Adjust the stock of <code>{product.sku}</code> {product.name}
      </h3>
      <div class="form-grid">
        <Field
          id={`${id}-delta`}
          label="Change"
          hint="12 adds twelve, -3 removes three."
          value={delta}
          onInput={setDelta}
          error={errors.delta}
          inputMode="numeric"
          maxLength={12}
        />
        <Field
          id={`${id}-reason`}
          label="Reason"
          hint="A delivery, a count, breakage."
          value={reason}
          onInput={setReason}
          error={errors.reason}
          maxLength={200}
        />
      </div>
      <FormError text={errors.form} />
      <FormActions busy={busy} label="Save the change" busyLabel="Saving…" onClose={onClose} />
    </form>
  );
}

export function EditProductForm({ product, onDone, onClose }: FormProps) {
  const [name, setName] = useState(product.name);
  const [description, setDescription] = useState(product.description);
  const [price, setPrice] = useState(paisaAsInput(product.price.amount));
  const { form, errors, busy, submit } = useSubmit(
    (): Read<EditBody> => {
      const read = readEdit(product, { name, description, price });
      if (read.ok && Object.keys(read.body).length === 0)
        return { ok: false, errors: { form: 'Nothing has changed: change the name, description or price first.' } };
      return read;
    },
    async (body) => {
      const after = await api.editProduct(product.sku, body);
      onDone(`${after.sku} saved: ${after.name}, ${rupees(after.price)}.`);
    },
    (problem) =>
      problem.code === 'VALIDATION_FAILED'
        ? fieldErrorsOf(problem.errors, ['name', 'description', 'price'])
        : { form: refusal(problem) },
  );
  const id = `edit-${product.sku}`;

  return (
    <form ref={form} class="row-form" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        Edit <code>{product.sku}</code>
      </h3>
      <div class="form-grid">
        <Field id={`${id}-name`} label="Name" value={name} onInput={setName} error={errors.name} maxLength={200} />
        <Field
          id={`${id}-price`}
          label="Price (Rs)"
          hint="In rupees: 1499 or 1,499.50."
          value={price}
          onInput={setPrice}
          error={errors.price}
          inputMode="decimal"
          maxLength={20}
        />
      </div>
      <Field
        id={`${id}-description`}
        label="Description"
        value={description}
        onInput={setDescription}
        error={errors.description}
        multiline
        maxLength={2000}
      />
      <FormError text={errors.form} />
      <FormActions busy={busy} label="Save the product" busyLabel="Saving…" onClose={onClose} />
    </form>
  );
}
