// catalogue: the products list joined with the stock ledger by sku, and the admin's forms read into API bodies.
import type { Page, Problem, Product, StockLevel } from './api.ts';
import { parseDelta, parseQuantity, parseRupees } from './number-input.ts';

/** One line of the catalogue: the product (name, price) and, when the ledger has it, its stock counters. */
export type CatalogueRow = { product: Product; level?: StockLevel };
export type Catalogue = { rows: CatalogueRow[]; more: boolean };

/** The largest page the API gives (shared/API.md: limit 1..100). */
const MAX_PAGE = 100;

/** joinCatalogue pairs each product with its stock level by sku, in the products' order; levels of others are left. */
export function joinCatalogue(products: Product[], levels: StockLevel[]): CatalogueRow[] {
  const bySku = new Map(levels.map((l) => [l.sku, l]));
  return products.map((product) => ({ product, level: bySku.get(product.sku) }));
}

export type CatalogueSource = {
  products(q: { q?: string; limit: number; cursor?: string }): Promise<Page<Product>>;
  stockLevels(q: { skus: string[]; limit: number }): Promise<Page<StockLevel>>;
};

/** loadCatalogue reads the first `wanted` products matching `q`, each joined with its stock level. */
export async function loadCatalogue(source: CatalogueSource, q: string, wanted: number): Promise<Catalogue> {
  const products: Product[] = [];
  let cursor: string | undefined;
  do {
    const limit = Math.min(MAX_PAGE, wanted - products.length);
    const page = await source.products({ q: q || undefined, limit, cursor });
    products.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && products.length < wanted);
  const levels = await levelsOf(
    source,
    products.map((p) => p.sku),
  );
  return { rows: joinCatalogue(products, levels), more: cursor !== undefined };
}

/** levelsOf asks the ledger for these skus' levels, up to 100 skus a request. */
async function levelsOf(source: CatalogueSource, skus: string[]): Promise<StockLevel[]> {
  const found: StockLevel[] = [];
  for (let from = 0; from < skus.length; from += MAX_PAGE) {
    const page = await source.stockLevels({ skus: skus.slice(from, from + MAX_PAGE), limit: MAX_PAGE });
    found.push(...page.items);
  }
  return found;
}

/** stockConflictText says why an adjustment was refused, from the STOCK_CONFLICT problem's onHand and reserved. */
export function stockConflictText(problem: Problem): string {
  const { onHand, reserved } = problem;
  if (typeof onHand !== 'number' || typeof reserved !== 'number')
    return 'Stock on hand cannot go below what orders have reserved.';
  const free = Math.max(0, onHand - reserved);
  const count = free === 0 ? 'None' : `Only ${free}`;
  if (reserved === 0) return `${count} can be removed: that is all there is on hand.`;
  return `${count} can be removed: ${reserved} ${reserved === 1 ? 'is' : 'are'} reserved by orders.`;
}

export type FieldErrors = Record<string, string>;

/** The message beside a field for what the API said of it; a pattern is explained, not quoted. */
function fieldMessage(field: string, message: string): string {
  if (field === 'sku' && message.startsWith('must match pattern'))
    return 'Use upper-case letters, digits and hyphens, 2 to 40 characters, such as LAWN-001.';
  return `This ${field} ${message}.`;
}

/** fieldErrorsOf places a 400's `errors` beside the form's fields ("price.amount" beside price); the rest under `form`. */
export function fieldErrorsOf(errors: Problem['errors'], fields: readonly string[]): FieldErrors {
  const placed: FieldErrors = {};
  for (const { path, message } of errors ?? []) {
    const field = path.split('.')[0];
    const key = fields.includes(field) ? field : 'form';
    const text = key === 'form' ? `${path} ${message}.` : fieldMessage(field, message);
    placed[key] = placed[key] ? `${placed[key]} ${text}` : text;
  }
  return placed;
}

export type Read<T> = { ok: true; body: T } | { ok: false; errors: FieldErrors };

export type NewProductTyped = { sku: string; name: string; description: string; price: string; quantity: string };
export type NewProductBody = {
  sku: string;
  name: string;
  description?: string;
  price: { amount: number; currency: 'PKR' };
  quantity: number;
};

/** readNewProduct turns the Add form into POST /api/inventory's body; sku and name are left for the API to judge. */
export function readNewProduct(typed: NewProductTyped): Read<NewProductBody> {
  const price = parseRupees(typed.price);
  const quantity = parseQuantity(typed.quantity);
  const errors: FieldErrors = {};
  if (!price.ok) errors.price = price.error;
  if (!quantity.ok) errors.quantity = quantity.error;
  if (!price.ok || !quantity.ok) return { ok: false, errors };
  const description = typed.description.trim();
  return {
    ok: true,
    body: {
      sku: typed.sku.trim(),
      name: typed.name.trim(),
      ...(description ? { description } : {}),
      price: { amount: price.value, currency: 'PKR' },
      quantity: quantity.value,
    },
  };
}

export type EditTyped = { name: string; description: string; price: string };
export type EditBody = { name?: string; description?: string; price?: { amount: number; currency: 'PKR' } };

/** readEdit turns the Edit form into PATCH's body: only what differs from the product; empty when nothing does. */
export function readEdit(product: Product, typed: EditTyped): Read<EditBody> {
  const price = parseRupees(typed.price);
  if (!price.ok) return { ok: false, errors: { price: price.error } };
  const body: EditBody = {};
  if (typed.name.trim() !== product.name) body.name = typed.name.trim();
  if (typed.description.trim() !== product.description) body.description = typed.description.trim();
  if (price.value !== product.price.amount) body.price = { amount: price.value, currency: 'PKR' };
  return { ok: true, body };
}

export type AdjustTyped = { delta: string; reason: string };

/** readAdjustment turns the Adjust form into the adjustment's body; a reason is required. */
export function readAdjustment(typed: AdjustTyped): Read<{ delta: number; reason: string }> {
  const delta = parseDelta(typed.delta);
  const reason = typed.reason.trim();
  const errors: FieldErrors = {};
  if (!delta.ok) errors.delta = delta.error;
  if (!reason) errors.reason = 'Say why: a delivery, a count, breakage.';
  if (!delta.ok || !reason) return { ok: false, errors };
  return { ok: true, body: { delta: delta.value, reason } };
}
