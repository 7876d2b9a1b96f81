// The public catalogue: search by its words in sku order, paged by cursor, and one product by sku.
import { type Db, decodeCursor, pageOf } from '@bazaar/kit/database';
import { notFound } from '@bazaar/kit/server';
import { productsRepo } from '../data/products-repo.ts';
import { type Product, publicProduct } from '../domain/product.ts';
import { searchWords } from '../domain/search.ts';

export type CatalogueQuery = { q?: string; limit: number; cursor?: string };

export async function searchProducts(
  db: Db,
  query: CatalogueQuery,
): Promise<{ items: Product[]; nextCursor: string | null }> {
  const [after] = decodeCursor(query.cursor, ['string']) ?? [];
  const rows = await productsRepo.search(
    db,
    query.limit + 1,
    searchWords(query.q ?? ''),
    after === undefined ? undefined : String(after),
  );
  const page = pageOf(rows, query.limit, (last) => [last.sku]);
  return { ...page, items: page.items.map(publicProduct) };
}

export async function getProduct(db: Db, sku: string): Promise<Product> {
  const product = await productsRepo.bySku(db, sku);
  if (!product) throw notFound('No such product.');
  return publicProduct(product);
}
