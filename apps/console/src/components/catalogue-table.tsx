// CatalogueTable: one row per product with its price and stock counters; a row opens, under it, the form to adjust
// its stock or to edit it, and the focus goes back to the button that opened it when the form closes.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { CatalogueRow } from '../lib/catalogue.ts';
import { rupees } from '../lib/format.ts';
import { AdjustStockForm, EditProductForm } from './product-forms.tsx';

type Open = { sku: string; form: 'adjust' | 'edit' };

const COLUMNS = ['SKU', 'Name', 'Price', 'On hand', 'Reserved', 'Available', 'Sold'];
const buttonId = (open: Open) => `${open.form}-open-${open.sku}`;
const formId = (open: Open) => `${open.form}-form-${open.sku}`;
const count = (n: number | undefined) => (n === undefined ? '–' : n.toLocaleString('en-US'));

export function CatalogueTable({
  rows,
  caption,
  onChanged,
}: {
  rows: CatalogueRow[];
  caption: string;
  onChanged: (outcome: string) => void;
}) {
  const [open, setOpen] = useState<Open>();
  const close = (focus = open) => {
    setOpen(undefined);
    if (focus) requestAnimationFrame(() => document.getElementById(buttonId(focus))?.focus());
  };
  const toggle = (next: Open) => (open?.sku === next.sku && open.form === next.form ? close(next) : setOpen(next));

  return (
    <div class="table-wrap">
      <table class="catalogue stack">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {COLUMNS.map((c, i) => (
              <th key={c} scope="col" class={i >= 2 ? 'num' : undefined}>
                {c}
              </th>
            ))}
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ product, level }) => {
            const adjust: Open = { sku: product.sku, form: 'adjust' };
            const edit: Open = { sku: product.sku, form: 'edit' };
            const opened = open?.sku === product.sku ? open : undefined;
            const figures = [level?.onHand, level?.reserved, level?.available ?? product.available, level?.sold];
            // Keyed by sku, so an open form keeps what was typed when a refresh moves the rows.
            return (
              <Fragment key={product.sku}>
                <tr data-sku={product.sku}>
                  <td data-label="SKU">
                    <code>{product.sku}</code>
                  </td>
                  <td data-label="Name">{product.name}</td>
                  <td data-label="Price" class="num nowrap">
                    {rupees(product.price)}
                  </td>
                  {figures.map((n, i) => (
                    <td key={COLUMNS[i + 3]} data-label={COLUMNS[i + 3]} class="num">
                      {count(n)}
                    </td>
                  ))}
                  <td data-label="Actions" class="row-actions">
                    <span>
                      <button
                        type="button"
                        class="small"
                        id={buttonId(adjust)}
                        aria-expanded={opened?.form === 'adjust'}
                        aria-controls={opened?.form === 'adjust' ? formId(adjust) : undefined}
                        aria-label={`Adjust stock of ${product.sku}`}
                        onClick={() => toggle(adjust)}
                      >
                        Adjust stock
                      </button>
                      <button
                        type="button"
                        class="small"
                        id={buttonId(edit)}
                        aria-expanded={opened?.form === 'edit'}
                        aria-controls={opened?.form === 'edit' ? formId(edit) : undefined}
                        aria-label={`Edit ${product.sku}`}
                        onClick={() => toggle(edit)}
                      >
                        Edit
                      </button>
                    </span>
                  </td>
                </tr>
                {opened && (
                  <tr class="form-row">
                    <td
                      colSpan={COLUMNS.length + 1}
                      id={formId(opened)}
                      onKeyDown={(e) => e.key === 'Escape' && close()}
                    >
                      {opened.form === 'adjust' ? (
                        <AdjustStockForm
                          product={product}
                          onClose={() => close()}
                          onDone={(outcome) => {
                            close();
                            onChanged(outcome);
                          }}
                        />
                      ) : (
                        <EditProductForm
                          product={product}
                          onClose={() => close()}
                          onDone={(outcome) => {
                            close();
                            onChanged(outcome);
                          }}
                        />
                      )}
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
