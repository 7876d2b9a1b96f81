import { describe, expect, it } from 'vitest';
import type { Product, StockLevel } from './api.ts';
import {
  type CatalogueSource,
  fieldErrorsOf,
  joinCatalogue,
  loadCatalogue,
  readAdjustment,
  readEdit,
  readNewProduct,
  stockConflictText,
} from './catalogue.ts';

const product = (sku: string, amount = 100_00): Product => ({
  sku,
  name: `Name of ${sku}`,
  description: '',
  price: { amount, currency: 'PKR' },
  available: 5,
});
const level = (sku: string, onHand = 7, reserved = 2): StockLevel => ({
  sku,
  onHand,
  reserved,
  available: onHand - reserved,
  sold: 1,
  initial: 8,
  adjustments: 0,
});

describe('the join of the products with the stock ledger', () => {
  it('pairs each product with its level by sku, in the products’ order, and leaves the other levels out', () => {
    const rows = joinCatalogue(
      [product('B-1'), product('A-1'), product('C-1')],
      [level('A-1'), level('B-1', 9), level('Z-9')],
    );
    expect(rows.map((r) => [r.product.sku, r.level?.sku, r.level?.onHand])).toEqual([
      ['B-1', 'B-1', 9],
      ['A-1', 'A-1', 7],
      ['C-1', undefined, undefined],
    ]);
  });

  /** A catalogue of `size` skus behind both lists, paged by index, that records what it is asked. */
  function source(size: number, match = (_sku: string) => true) {
    const skus = Array.from({ length: size }, (_, i) => `SKU-${String(i).padStart(4, '0')}`);
    const asked: string[] = [];
    const fake: CatalogueSource = {
      products: async ({ q, limit, cursor }) => {
        asked.push(`products q=${q ?? ''} limit=${limit} cursor=${cursor ?? ''}`);
        const all = skus.filter(match);
        const from = Number(cursor ?? 0);
        return {
          items: all.slice(from, from + limit).map((s) => product(s)),
          nextCursor: from + limit < all.length ? String(from + limit) : null,
        };
      },
      stockLevels: async (q) => {
        asked.push(`levels of ${q.skus.length} from ${q.skus[0]}`);
        return { items: q.skus.filter((s) => skus.includes(s)).map((s) => level(s)), nextCursor: null };
      },
    };
    return { fake, asked };
  }

  it('reads a page of products, then the levels of exactly those skus', async () => {
    const { fake, asked } = source(250);
    const catalogue = await loadCatalogue(fake, '', 20);
    expect(catalogue.more).toBe(true);
    expect(catalogue.rows).toHaveLength(20);
    expect(catalogue.rows.every((r) => r.level?.sku === r.product.sku)).toBe(true);
    expect(asked).toEqual(['products q= limit=20 cursor=', 'levels of 20 from SKU-0000']);
  });

  it('loads more in pages of at most 100, and asks for levels 100 skus at a time', async () => {
    const { fake, asked } = source(250);
    const catalogue = await loadCatalogue(fake, '', 140);
    expect(catalogue.rows).toHaveLength(140);
    expect(catalogue.rows.at(-1)?.level?.sku).toBe('SKU-0139');
    expect(asked).toEqual([
      'products q= limit=100 cursor=',
      'products q= limit=40 cursor=100',
      'levels of 100 from SKU-0000',
      'levels of 40 from SKU-0100',
    ]);
  });

  it('finds the levels of a search’s products wherever they are in the ledger, and says when there are no more', async () => {
    const { fake, asked } = source(250, (sku) => sku === 'SKU-0005' || sku === 'SKU-0210');
    const catalogue = await loadCatalogue(fake, 'tea', 20);
    expect(catalogue.more).toBe(false);
    expect(catalogue.rows.map((r) => r.level?.sku)).toEqual(['SKU-0005', 'SKU-0210']);
    expect(asked).toEqual(['products q=tea limit=20 cursor=', 'levels of 2 from SKU-0005']);
  });

  it('asks the ledger nothing when no product matches', async () => {
    const { fake, asked } = source(10, () => false);
    expect(await loadCatalogue(fake, 'nothing', 20)).toEqual({ rows: [], more: false });
    expect(asked).toEqual(['products q=nothing limit=20 cursor=']);
  });
});

describe('what the console says of a refusal', () => {
  it('a STOCK_CONFLICT says how many can go and how many orders hold', () => {
    const conflict = (onHand: number, reserved: number) =>
      stockConflictText({ status: 409, code: 'STOCK_CONFLICT', detail: '', onHand, reserved, delta: -100 });
    expect(conflict(10, 4)).toBe('Only 6 can be removed: 4 are reserved by orders.');
    expect(conflict(10, 1)).toBe('Only 9 can be removed: 1 is reserved by orders.');
    expect(conflict(4, 4)).toBe('None can be removed: 4 are reserved by orders.');
    expect(conflict(3, 0)).toBe('Only 3 can be removed: that is all there is on hand.');
    expect(stockConflictText({ status: 409, code: 'STOCK_CONFLICT', detail: '' })).toMatch(/reserved/);
  });

  it('a 400’s errors go beside their fields, the rest to the form', () => {
    const placed = fieldErrorsOf(
      [
        { path: 'sku', message: 'must match pattern "^[A-Z0-9][A-Z0-9-]{1,39}$"' },
        { path: 'price.amount', message: 'must be <= 10000000000' },
        { path: 'name', message: 'must not be blank' },
        { path: 'colour', message: 'is not an allowed field' },
      ],
      ['sku', 'name', 'price'],
    );
    expect(placed).toEqual({
      sku: 'Use upper-case letters, digits and hyphens, 2 to 40 characters, such as LAWN-001.',
      price: 'This price must be <= 10000000000.',
      name: 'This name must not be blank.',
      form: 'colour is not an allowed field.',
    });
  });
});

describe('the forms read into API bodies', () => {
  it('a new product: price in paisa, the description only when given', () => {
    const typed = { sku: ' TEA-9 ', name: ' Chai ', description: ' ', price: '1,499.50', quantity: '12' };
    expect(readNewProduct(typed)).toEqual({
      ok: true,
      body: { sku: 'TEA-9', name: 'Chai', price: { amount: 149950, currency: 'PKR' }, quantity: 12 },
    });
    const bad = readNewProduct({ ...typed, price: '1.999', quantity: '-1' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && Object.keys(bad.errors)).toEqual(['price', 'quantity']);
  });

  it('an edit: only the fields that changed, none when nothing did', () => {
    const tea = { ...product('TEA-1', 149900), description: 'Green' };
    expect(readEdit(tea, { name: tea.name, description: 'Green', price: '1499' })).toEqual({ ok: true, body: {} });
    expect(readEdit(tea, { name: tea.name, description: 'Green ', price: '1,599.99' })).toEqual({
      ok: true,
      body: { price: { amount: 159999, currency: 'PKR' } },
    });
    expect(readEdit(tea, { name: ' Kahwa ', description: '', price: 'Rs 1,499.00' })).toEqual({
      ok: true,
      body: { name: 'Kahwa', description: '' },
    });
    expect(readEdit(tea, { name: 'Kahwa', description: '', price: 'abc' }).ok).toBe(false);
  });

  it('an adjustment needs a non-zero change and a reason', () => {
    expect(readAdjustment({ delta: '-3', reason: ' breakage ' })).toEqual({
      ok: true,
      body: { delta: -3, reason: 'breakage' },
    });
    const bad = readAdjustment({ delta: '0', reason: ' ' });
    expect(!bad.ok && bad.errors).toEqual({
      delta: 'The change cannot be 0.',
      reason: expect.stringMatching(/^Say why/),
    });
  });
});
