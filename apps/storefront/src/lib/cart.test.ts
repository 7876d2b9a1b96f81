import { describe, expect, it } from 'vitest';
import {
  addLines,
  addToCart,
  CART_KEY,
  cartCount,
  cartSubtotal,
  emptyCart,
  loadCart,
  MAX_QUANTITY,
  parseCart,
  refreshLines,
  removeFromCart,
  saveCart,
  setQuantity,
} from './cart.ts';

const lawn = { sku: 'LAWN-001', name: 'Lawn suit', price: { amount: 450000 }, available: 120 };
const ajrak = { sku: 'AJRAK-001', name: 'Ajrak shawl', price: { amount: 280000 }, available: 3 };

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

describe('cart', () => {
  it('adds products, merging the same sku into one line', () => {
    let cart = addToCart(emptyCart(), lawn, 2);
    cart = addToCart(cart, ajrak);
    cart = addToCart(cart, lawn, 1);
    expect(cart.lines).toEqual([
      { sku: 'LAWN-001', name: 'Lawn suit', unitPrice: 450000, quantity: 3 },
      { sku: 'AJRAK-001', name: 'Ajrak shawl', unitPrice: 280000, quantity: 1 },
    ]);
    expect(cartCount(cart)).toBe(4);
    expect(cartSubtotal(cart)).toBe(3 * 450000 + 280000);
  });

  it('never holds more than is available or more than 100 of a product', () => {
    expect(addToCart(emptyCart(), ajrak, 10).lines[0].quantity).toBe(3);
    expect(addToCart(addToCart(emptyCart(), ajrak, 3), ajrak, 1).lines[0].quantity).toBe(3);
    expect(addToCart(emptyCart(), { ...lawn, available: 1000 }, 500).lines[0].quantity).toBe(MAX_QUANTITY);
    expect(addToCart(emptyCart(), { ...ajrak, available: 0 }).lines).toEqual([]);
  });

  it('changes and removes lines; a quantity of zero removes the line', () => {
    let cart = addToCart(addToCart(emptyCart(), lawn), ajrak);
    cart = setQuantity(cart, 'LAWN-001', 5);
    expect(cart.lines[0].quantity).toBe(5);
    cart = setQuantity(cart, 'LAWN-001', 0);
    expect(cart.lines.map((l) => l.sku)).toEqual(['AJRAK-001']);
    cart = setQuantity(cart, 'AJRAK-001', Number.NaN);
    expect(cart.lines[0].quantity).toBe(1);
    expect(removeFromCart(cart, 'AJRAK-001').lines).toEqual([]);
  });

  it('puts an order’s lines back, each up to the order’s quantity, once however often, never past 100', () => {
    const cart = addToCart(emptyCart(), lawn, 1);
    const order = [
      { sku: 'LAWN-001', name: 'Lawn suit', unitPrice: { amount: 450000, currency: 'PKR' }, quantity: 2 },
      { sku: 'TEA-001', name: 'Kashmiri tea', unitPrice: { amount: 95000, currency: 'PKR' }, quantity: 99 },
    ];
    const restored = addLines(cart, order);
    expect(restored.lines).toEqual([
      { sku: 'LAWN-001', name: 'Lawn suit', unitPrice: 450000, quantity: 2 },
      { sku: 'TEA-001', name: 'Kashmiri tea', unitPrice: 95000, quantity: 99 },
    ]);
    expect(addLines(restored, order)).toEqual(restored);
    const more = [{ ...order[1], quantity: 150 }];
    expect(addLines(restored, more).lines[1].quantity).toBe(MAX_QUANTITY);
    expect(addLines(cart, [])).toEqual(cart);
  });

  it('takes new names and prices from the catalogue, keeping quantities', () => {
    const cart = addToCart(emptyCart(), lawn, 2);
    const refreshed = refreshLines(cart, [{ ...lawn, name: 'Lawn suit, 3-piece', price: { amount: 400000 } }]);
    expect(refreshed.lines[0]).toEqual({ sku: 'LAWN-001', name: 'Lawn suit, 3-piece', unitPrice: 400000, quantity: 2 });
  });
});

describe('cart persistence', () => {
  it('survives a reload: what is saved is loaded back', () => {
    const storage = memoryStorage();
    const cart = addToCart(addToCart(emptyCart(), lawn, 2), ajrak);
    expect(saveCart(storage, cart)).toBe(true);
    expect(loadCart(storage)).toEqual(cart);
  });

  it('forgets the key once the cart is empty', () => {
    const storage = memoryStorage();
    saveCart(storage, addToCart(emptyCart(), lawn));
    saveCart(storage, emptyCart());
    expect(storage.data.has(CART_KEY)).toBe(false);
  });

  it('starts empty from missing, corrupt or foreign data', () => {
    expect(parseCart(null)).toEqual(emptyCart());
    expect(parseCart('{not json')).toEqual(emptyCart());
    expect(parseCart('[1,2]')).toEqual(emptyCart());
    expect(parseCart('{"lines":"x"}')).toEqual(emptyCart());
  });

  it('drops malformed or duplicate lines and caps quantities', () => {
    const raw = JSON.stringify({
      lines: [
        { sku: 'LAWN-001', name: 'Lawn', unitPrice: 450000, quantity: 2 },
        { sku: 'LAWN-001', name: 'Lawn again', unitPrice: 1, quantity: 1 },
        { sku: 'X', name: 'Float price', unitPrice: 1.5, quantity: 1 },
        { sku: 'Y', name: 'Zero', unitPrice: 100, quantity: 0 },
        { sku: 'Z', unitPrice: 100, quantity: 1 },
        { sku: 'BIG-1', name: 'Big', unitPrice: 100, quantity: 5000 },
      ],
    });
    expect(parseCart(raw).lines).toEqual([
      { sku: 'LAWN-001', name: 'Lawn', unitPrice: 450000, quantity: 2 },
      { sku: 'BIG-1', name: 'Big', unitPrice: 100, quantity: MAX_QUANTITY },
    ]);
  });

  it('keeps working when storage is unavailable or full', () => {
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('quota');
      },
      removeItem: () => {},
    };
    expect(loadCart(broken)).toEqual(emptyCart());
    expect(saveCart(broken, addToCart(emptyCart(), lawn))).toBe(false);
    expect(loadCart(undefined)).toEqual(emptyCart());
  });
});
