// Product page: the full description, price, availability and a quantity to add to the cart.
import { useEffect, useState } from 'preact/hooks';
import { Alert, Availability, Loading, ProductArt } from '../components/bits.tsx';
import { Link } from '../components/link.tsx';
import type { Product } from '../lib/api.ts';
import { MAX_QUANTITY } from '../lib/cart.ts';
import { formatMoney } from '../lib/money.ts';
import { ApiError, friendlyMessage, namesNothing } from '../lib/problems.ts';
import { api, markReady, useAppState, useTitle } from '../state.ts';
import { AddToCartButton } from './catalogue.tsx';

export function ProductPage({ sku }: { sku: string }) {
  const [product, setProduct] = useState<Product | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [quantity, setQuantity] = useState(1);
  const inCart = useAppState((s) => s.cart.lines.find((l) => l.sku === sku)?.quantity ?? 0);
  useTitle(product?.name ?? (error ? 'Product not found' : 'Product'));

  useEffect(() => {
    let live = true;
    setProduct(null);
    setError(null);
    api
      .product(sku)
      .then((p) => {
        if (!live) return;
        setProduct(p);
        markReady();
      })
      .catch(
        (e: unknown) => live && setError(e instanceof ApiError ? e : new ApiError({ status: 0, code: 'NETWORK' })),
      );
    return () => {
      live = false;
    };
  }, [sku]);

  if (error)
    return (
      <>
        <h1>{namesNothing(error.problem) ? 'Product not found' : 'Could not load this product'}</h1>
        <Alert>{namesNothing(error.problem) ? `There is no product ${sku}.` : friendlyMessage(error.problem)}</Alert>
        <p>
          <Link href="/">Back to all products</Link>
        </p>
      </>
    );
  if (!product) return <Loading label="Loading product…" />;

  const max = Math.max(1, Math.min(MAX_QUANTITY, product.available));
  return (
    <>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <ol>
          <li>
            <Link href="/">Shop</Link>
          </li>
          <li aria-current="page">{product.name}</li>
        </ol>
      </nav>
      <div class="product">
        <ProductArt sku={product.sku} name={product.name} size="large" />
        <div class="product-info">
          <h1>{product.name}</h1>
          <p class="price price--large">{formatMoney(product.price)}</p>
          <p>
            <Availability available={product.available} />
          </p>
          <p class="description">{product.description}</p>
          <p class="muted small">SKU {product.sku}</p>
          {product.available > 0 && (
            <div class="buy">
              <div class="field field--inline">
                <label for="quantity">Quantity</label>
                <input
                  id="quantity"
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={max}
                  value={quantity}
                  onInput={(e) => {
                    const n = Number(e.currentTarget.value);
                    if (Number.isInteger(n)) setQuantity(Math.max(1, Math.min(max, n)));
                  }}
                  // Leaving the box shows the quantity that will be added, not what was typed (0, -3, 2.5).
                  onBlur={(e) => {
                    e.currentTarget.value = String(quantity);
                  }}
                />
              </div>
              <AddToCartButton product={product} quantity={quantity} class="button--large" />
            </div>
          )}
          {inCart > 0 && (
            <p class="in-cart" role="status">
              {inCart} in your cart. <Link href="/cart">View cart</Link>
            </p>
          )}
        </div>
      </div>
    </>
  );
}
