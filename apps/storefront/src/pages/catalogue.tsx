// Catalogue: the shop's front page and search results, with prices and availability at a glance.
import { useEffect, useState } from 'preact/hooks';
import { Alert, Availability, Loading, ProductArt } from '../components/bits.tsx';
import { Link } from '../components/link.tsx';
import type { Product } from '../lib/api.ts';
import { formatMoney } from '../lib/money.ts';
import { ApiError, friendlyMessage } from '../lib/problems.ts';
import { productPath } from '../lib/routes.ts';
import { api, cartActions, markReady, useTitle } from '../state.ts';

export function AddToCartButton({
  product,
  quantity = 1,
  class: extra = '',
}: {
  product: Product;
  quantity?: number;
  class?: string;
}) {
  // What the last press did, said on the button for two seconds: added, or nothing more to add (the cart holds all
  // there is, or 100).
  const [outcome, setOutcome] = useState<'added' | 'full' | null>(null);
  useEffect(() => {
    if (!outcome) return;
    const timer = setTimeout(() => setOutcome(null), 2_000);
    return () => clearTimeout(timer);
  }, [outcome]);
  const out = product.available <= 0;
  const words = out
    ? 'Out of stock'
    : outcome === 'added'
      ? 'Added ✓'
      : outcome === 'full'
        ? 'No more to add'
        : 'Add to cart';
  // The name starts with the visible words, then says which product: for screen readers and voice control alike.
  return (
    <button
      type="button"
      class={`button ${extra}`}
      disabled={out}
      aria-label={`${outcome === 'added' ? 'Added to cart' : words}: ${product.name}`}
      onClick={() => setOutcome(cartActions.add(product, quantity) ? 'added' : 'full')}
    >
      {words}
    </button>
  );
}

function ProductCard({ product }: { product: Product }) {
  return (
    <article class="card product-card" aria-labelledby={`p-${product.sku}`}>
      <ProductArt sku={product.sku} name={product.name} />
      <div class="card-body">
        <h2 class="card-title" id={`p-${product.sku}`}>
          <Link href={productPath(product.sku)} class="stretched">
            {product.name}
          </Link>
        </h2>
        <p class="price">{formatMoney(product.price)}</p>
        <Availability available={product.available} compact />
      </div>
      <AddToCartButton product={product} class="card-action" />
    </article>
  );
}

export function Catalogue({ q }: { q: string }) {
  useTitle(q ? `Search: ${q}` : 'Bazaar');
  const [items, setItems] = useState<Product[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  useEffect(() => {
    let live = true;
    setItems(null);
    setError(null);
    api
      .products(q)
      .then((page) => {
        if (!live) return;
        setItems(page.items);
        setCursor(page.nextCursor);
        markReady();
      })
      .catch((e: unknown) => live && setError(e instanceof ApiError ? friendlyMessage(e.problem) : String(e)));
    return () => {
      live = false;
    };
  }, [q]);

  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await api.products(q, cursor);
      setItems((prev) => [...(prev ?? []), ...page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e instanceof ApiError ? friendlyMessage(e.problem) : String(e));
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <>
      {q ? (
        <div class="page-head">
          <h1>Results for “{q}”</h1>
          <p>
            <Link href="/">Show all products</Link>
          </p>
        </div>
      ) : (
        <div class="hero">
          <h1>Shop Pakistan’s bazaar, delivered</h1>
          <p>
            Lawn suits, ajrak, Peshawari chappals, Hunza apricots and more, shipped to your city. Pay with JazzCash,
            EasyPaisa or cash on delivery.
          </p>
        </div>
      )}
      {error && <Alert>{error}</Alert>}
      {!items && !error && <Loading label="Loading products…" />}
      {items && (
        <>
          <p class="result-count" role="status">
            {items.length === 0
              ? q
                ? `No products match “${q}”. Try another word.`
                : 'No products yet.'
              : `${items.length}${cursor ? '+' : ''} ${items.length === 1 ? 'product' : 'products'}`}
          </p>
          <ul class="grid" aria-label={q ? 'Search results' : 'Products'}>
            {items.map((product) => (
              <li key={product.sku}>
                <ProductCard product={product} />
              </li>
            ))}
          </ul>
          {cursor && (
            <p class="center">
              <button type="button" class="button button--secondary" onClick={loadMore} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : 'Show more products'}
              </button>
            </p>
          )}
        </>
      )}
    </>
  );
}
