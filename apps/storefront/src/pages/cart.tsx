// Cart: what the shopper has chosen, with quantities to change, the latest prices and what is still in stock.
import { useEffect, useState } from 'preact/hooks';
import { Alert, ProductArt } from '../components/bits.tsx';
import { Link } from '../components/link.tsx';
import type { Product } from '../lib/api.ts';
import { type Cart, type CartLine, cartCount, cartSubtotal, MAX_QUANTITY, refreshLines } from '../lib/cart.ts';
import { formatPkr } from '../lib/money.ts';
import { ApiError } from '../lib/problems.ts';
import { productPath } from '../lib/routes.ts';
import { api, cartActions, getState, markReady, useAppState, useTitle } from '../state.ts';

/**
 * useStock loads the current product for each line of the cart, and brings the cart's names and prices up to date.
 * A product the catalogue no longer has is null; one it could not be asked about (the network, a busy Bazaar) stays
 * unknown, and `unreachable` says so: a shopper is never told to remove goods that are still sold.
 */
export function useStock(cart: Cart): {
  stock: Record<string, Product | null | undefined>;
  reload: () => void;
  unreachable: boolean;
} {
  const [stock, setStock] = useState<Record<string, Product | null | undefined>>({});
  const [unreachable, setUnreachable] = useState(false);
  const [round, setRound] = useState(0);
  const skus = cart.lines.map((l) => l.sku).join(',');
  useEffect(() => {
    let live = true;
    const lines = getState().cart.lines;
    Promise.all(
      lines.map((l) =>
        api.product(l.sku).then(
          (p) => [l.sku, p] as const,
          (err) => [l.sku, err instanceof ApiError && err.problem.status === 404 ? null : undefined] as const,
        ),
      ),
    ).then((found) => {
      if (!live) return;
      setStock(Object.fromEntries(found));
      setUnreachable(found.some(([, p]) => p === undefined));
      const products = found.flatMap(([, p]) => (p ? [p] : []));
      const refreshed = refreshLines(getState().cart, products);
      if (JSON.stringify(refreshed) !== JSON.stringify(getState().cart)) cartActions.replace(refreshed);
      markReady();
    });
    return () => {
      live = false;
    };
  }, [skus, round]);
  return { stock, reload: () => setRound((r) => r + 1), unreachable };
}

/** What the cart and checkout say while the stock of some line could not be checked. */
export const STOCK_UNKNOWN =
  'Cannot reach Bazaar to check the stock of your cart. Check your connection and try again.';

/** stockProblem says what is wrong with a line given the product's current availability, if anything. */
export function stockProblem(line: CartLine, product: Product | null | undefined): string | null {
  if (product === undefined) return null;
  if (product === null) return 'This product is no longer sold. Remove it to check out.';
  if (product.available <= 0) return 'Out of stock. Remove it to check out.';
  if (product.available < line.quantity) return `Only ${product.available} left. Lower the quantity to check out.`;
  return null;
}

/**
 * Sets a line's quantity from one of its controls; when that takes the line away, the keyboard's place goes to the
 * next line's quantity (or the one before, or the page's heading), not to the top of the page.
 */
function setFrom(control: HTMLElement, sku: string, quantity: number): void {
  const item = control.closest('li');
  const neighbour = (item?.nextElementSibling ?? item?.previousElementSibling) as HTMLElement | null;
  cartActions.set(sku, quantity);
  if (quantity > 0) return;
  const heading = document.querySelector<HTMLElement>('main h1');
  heading?.setAttribute('tabindex', '-1');
  (neighbour?.querySelector<HTMLElement>('input') ?? heading)?.focus();
}

function Line({ line, product }: { line: CartLine; product: Product | null | undefined }) {
  const problem = stockProblem(line, product);
  const max = Math.min(MAX_QUANTITY, Math.max(product?.available ?? MAX_QUANTITY, line.quantity));
  const id = `qty-${line.sku}`;
  return (
    <li class={`cart-line${problem ? ' cart-line--problem' : ''}`}>
      <ProductArt sku={line.sku} name={line.name} size="small" />
      <div class="cart-line-main">
        <h2 class="cart-line-name">
          <Link href={productPath(line.sku)}>{line.name}</Link>
        </h2>
        <p class="muted small">{formatPkr(line.unitPrice)} each</p>
        {problem && (
          <p class="line-problem" id={`${id}-problem`}>
            {problem}{' '}
            {product && product.available > 0 && product.available < line.quantity && (
              <button type="button" class="linklike" onClick={() => cartActions.set(line.sku, product.available)}>
                Change to {product.available}
              </button>
            )}
          </p>
        )}
      </div>
      <fieldset class="stepper">
        <legend class="visually-hidden">Quantity of {line.name}</legend>
        <button
          type="button"
          class="button button--icon"
          aria-label={`One less ${line.name}`}
          onClick={(e) => setFrom(e.currentTarget, line.sku, line.quantity - 1)}
        >
          −
        </button>
        <label for={id} class="visually-hidden">
          Quantity of {line.name}
        </label>
        <input
          id={id}
          type="number"
          inputMode="numeric"
          min={1}
          max={max}
          value={line.quantity}
          aria-describedby={problem ? `${id}-problem` : undefined}
          onChange={(e) => {
            const typed = e.currentTarget.value.trim();
            // A box left empty is no choice: the quantity stays, where reading it as 0 would drop the line unasked.
            if (typed === '') e.currentTarget.value = String(line.quantity);
            else if (Number.isInteger(Number(typed))) cartActions.set(line.sku, Number(typed));
          }}
        />
        <button
          type="button"
          class="button button--icon"
          aria-label={`One more ${line.name}`}
          disabled={line.quantity >= max}
          onClick={() => cartActions.set(line.sku, line.quantity + 1)}
        >
          +
        </button>
      </fieldset>
      <p class="line-total">{formatPkr(line.unitPrice * line.quantity)}</p>
      <button type="button" class="linklike remove" onClick={(e) => setFrom(e.currentTarget, line.sku, 0)}>
        Remove<span class="visually-hidden"> {line.name}</span>
      </button>
    </li>
  );
}

export function CartPage() {
  useTitle('Your cart');
  const cart = useAppState((s) => s.cart);
  const { stock, unreachable } = useStock(cart);
  const blocked = cart.lines.some((l) => stockProblem(l, stock[l.sku]) !== null);

  if (cart.lines.length === 0)
    return (
      <>
        <h1>Your cart</h1>
        <p class="empty">Your cart is empty.</p>
        <p>
          <Link href="/" class="button">
            Browse products
          </Link>
        </p>
      </>
    );

  const count = cartCount(cart);
  return (
    <>
      <h1>Your cart</h1>
      <div class="layout-two">
        <ul class="cart-lines" aria-label="Items in your cart">
          {cart.lines.map((line) => (
            <Line key={line.sku} line={line} product={stock[line.sku]} />
          ))}
        </ul>
        <aside class="summary card" aria-labelledby="summary-title">
          <h2 id="summary-title">Summary</h2>
          <dl class="totals">
            <div>
              <dt>Items ({count})</dt>
              <dd>{formatPkr(cartSubtotal(cart))}</dd>
            </div>
            <div>
              <dt>Shipping</dt>
              <dd class="muted">by city, at checkout</dd>
            </div>
          </dl>
          {blocked && <Alert kind="warning">Some items are not available in the quantity you chose.</Alert>}
          {unreachable && <Alert kind="warning">{STOCK_UNKNOWN}</Alert>}
          {blocked ? (
            <button type="button" class="button button--large button--block" disabled>
              Check out
            </button>
          ) : (
            <Link href="/checkout" class="button button--large button--block">
              Check out
            </Link>
          )}
          <p class="center small">
            <Link href="/">Continue shopping</Link>
          </p>
        </aside>
      </div>
    </>
  );
}
