// AddProduct: the form that puts a new product in the catalogue with its opening stock (POST /api/inventory).
import { useState } from 'preact/hooks';
import { fieldErrorsOf, type NewProductTyped, readNewProduct } from '../lib/catalogue.ts';
import { rupees } from '../lib/format.ts';
import { api } from '../state.ts';
import { Field, FormActions, FormError, useSubmit } from './field.tsx';

const EMPTY: NewProductTyped = { sku: '', name: '', description: '', price: '', quantity: '' };
const FIELDS = ['sku', 'name', 'description', 'price', 'quantity'] as const;

export function AddProduct({ onDone, onClose }: { onDone: (outcome: string) => void; onClose: () => void }) {
  const [typed, setTyped] = useState(EMPTY);
  const set = (field: keyof NewProductTyped) => (value: string) => setTyped((t) => ({ ...t, [field]: value }));
  const { form, errors, busy, submit } = useSubmit(
    () => readNewProduct(typed),
    async (body) => {
      const added = await api.addProduct(body);
      setTyped(EMPTY);
      onDone(`${added.sku} added: ${added.name}, ${rupees(added.price)}, ${added.available} on hand.`);
    },
    (problem, body) => {
      if (problem.code === 'SKU_EXISTS')
        return { sku: `There is already a product with sku ${body.sku}: choose another sku, or edit that one.` };
      if (problem.code === 'VALIDATION_FAILED') return fieldErrorsOf(problem.errors, FIELDS);
      return { form: `The product was not added: ${problem.detail} (${problem.code})` };
    },
  );

  return (
    <form
      ref={form}
      class="card add-product"
      id="add-product"
      onSubmit={submit}
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
      noValidate
      aria-labelledby="add-product-title"
    >
      <h2 id="add-product-title">Add a product</h2>
      <div class="form-grid">
        <Field
          id="new-sku"
          label="SKU"
          hint="Upper-case letters, digits and hyphens: LAWN-001."
          value={typed.sku}
          onInput={set('sku')}
          error={errors.sku}
          maxLength={40}
        />
        <Field
          id="new-name"
          label="Name"
          value={typed.name}
          onInput={set('name')}
          error={errors.name}
          maxLength={200}
        />
        <Field
          id="new-price"
          label="Price (Rs)"
          hint="In rupees: 1499 or 1,499.50."
          value={typed.price}
          onInput={set('price')}
          error={errors.price}
          inputMode="decimal"
          maxLength={20}
        />
        <Field
          id="new-quantity"
          label="Opening stock"
          hint="How many are on hand now."
          value={typed.quantity}
          onInput={set('quantity')}
          error={errors.quantity}
          inputMode="numeric"
          maxLength={9}
        />
      </div>
      <Field
        id="new-description"
        label="Description (optional)"
        value={typed.description}
        onInput={set('description')}
        error={errors.description}
        multiline
        maxLength={2000}
      />
      <FormError text={errors.form} />
      <FormActions busy={busy} label="Add the product" busyLabel="Adding…" onClose={onClose} />
    </form>
  );
}
