// cart: the basket kept in the browser across reloads, as pure functions over a plain value and a Storage.

/** The API's limits: at most 50 lines per order and 100 of each product. */
export const MAX_LINES = 50;
export const MAX_QUANTITY = 100;
export const CART_KEY = 'bazaar.cart.v1';

export type CartLine = { sku: string; name: string; unitPrice: number; quantity: number };
export type Cart = { lines: CartLine[] };

export type ProductLike = { sku: string; name: string; price: { amount: number }; available?: number };

export const emptyCart = (): Cart => ({ lines: [] });

const clamp = (quantity: number, limit = MAX_QUANTITY) =>
  Math.max(0, Math.min(Math.floor(quantity), MAX_QUANTITY, limit));

/** addToCart adds quantity of a product, merging with its line, never past 100 or what is available. */
export function addToCart(cart: Cart, product: ProductLike, quantity = 1): Cart {
  const limit = product.available ?? MAX_QUANTITY;
  const existing = cart.lines.find((line) => line.sku === product.sku);
  if (existing) {
    const next = clamp(existing.quantity + quantity, Math.max(limit, 0));
    return {
      lines: cart.lines.map((line) =>
        line.sku === product.sku
          ? { ...line, name: product.name, unitPrice: product.price.amount, quantity: Math.max(next, line.quantity) }
          : line,
      ),
    };
  }
  if (cart.lines.length >= MAX_LINES) return cart;
  const wanted = clamp(quantity, limit);
  if (wanted < 1) return cart;
  return {
    lines: [...cart.lines, { sku: product.sku, name: product.name, unitPrice: product.price.amount, quantity: wanted }],
  };
}

/**
 * addLines puts an order's lines (back) into the cart: each line up to at least the order's quantity, within the same
 * limits. Putting the same order back twice (a second press, the back button) changes nothing more.
 */
export function addLines(
  cart: Cart,
  lines: readonly { sku: string; name: string; unitPrice: { amount: number }; quantity: number }[],
): Cart {
  return lines.reduce((next, line) => {
    const held = next.lines.find((l) => l.sku === line.sku)?.quantity ?? 0;
    if (held >= line.quantity) return next;
    return addToCart(next, { sku: line.sku, name: line.name, price: line.unitPrice }, line.quantity - held);
  }, cart);
}

/** setQuantity changes a line's quantity (0 removes it), within 1..100. */
export function setQuantity(cart: Cart, sku: string, quantity: number): Cart {
  if (!Number.isFinite(quantity)) return cart;
  const wanted = clamp(quantity);
  if (wanted < 1) return removeFromCart(cart, sku);
  return { lines: cart.lines.map((line) => (line.sku === sku ? { ...line, quantity: wanted } : line)) };
}

export function removeFromCart(cart: Cart, sku: string): Cart {
  return { lines: cart.lines.filter((line) => line.sku !== sku) };
}

export const cartCount = (cart: Cart) => cart.lines.reduce((sum, line) => sum + line.quantity, 0);
export const cartSubtotal = (cart: Cart) => cart.lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);

/** refreshLines takes the latest names and prices from the catalogue, keeping the quantities the shopper chose. */
export function refreshLines(cart: Cart, products: readonly ProductLike[]): Cart {
  const bySku = new Map(products.map((p) => [p.sku, p]));
  return {
    lines: cart.lines.map((line) => {
      const product = bySku.get(line.sku);
      return product ? { ...line, name: product.name, unitPrice: product.price.amount } : line;
    }),
  };
}

/** parseCart reads a stored cart, dropping whatever is malformed instead of failing: storage is user-editable. */
export function parseCart(raw: string | null): Cart {
  if (!raw) return emptyCart();
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return emptyCart();
  }
  const lines = (value as { lines?: unknown })?.lines;
  if (!Array.isArray(lines)) return emptyCart();
  const seen = new Set<string>();
  const kept: CartLine[] = [];
  for (const item of lines) {
    const line = item as Partial<CartLine>;
    if (typeof line?.sku !== 'string' || line.sku === '' || seen.has(line.sku)) continue;
    if (typeof line.name !== 'string') continue;
    if (!Number.isSafeInteger(line.unitPrice) || (line.unitPrice as number) < 0) continue;
    if (!Number.isSafeInteger(line.quantity) || (line.quantity as number) < 1) continue;
    seen.add(line.sku);
    kept.push({
      sku: line.sku,
      name: line.name,
      unitPrice: line.unitPrice as number,
      quantity: Math.min(line.quantity as number, MAX_QUANTITY),
    });
    if (kept.length === MAX_LINES) break;
  }
  return { lines: kept };
}

export const serializeCart = (cart: Cart) => JSON.stringify({ lines: cart.lines });

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function loadCart(storage: Store | undefined): Cart {
  try {
    return parseCart(storage?.getItem(CART_KEY) ?? null);
  } catch {
    return emptyCart();
  }
}

/** saveCart writes the cart; a full or disabled storage only loses persistence, never the page. */
export function saveCart(storage: Store | undefined, cart: Cart): boolean {
  try {
    if (cart.lines.length === 0) storage?.removeItem(CART_KEY);
    else storage?.setItem(CART_KEY, serializeCart(cart));
    return storage !== undefined;
  } catch {
    return false;
  }
}
