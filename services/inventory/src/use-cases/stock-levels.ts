// The admin's stock ledger per sku, from which `bazaar verify` checks initial + adjustments = available + reserved + sold.
import { type Db, decodeCursor, pageOf } from '@bazaar/kit/database';
import { notFound } from '@bazaar/kit/server';
import { productsRepo } from '../data/products-repo.ts';
import type { StockLevel } from '../domain/product.ts';

export async function getStockLevel(db: Db, sku: string): Promise<StockLevel> {
  const [level] = await productsRepo.levels(db, 1, { skus: [sku] });
  if (!level) throw notFound('No such product.');
  return level;
}

/** The ledger in sku order, a page at a time; of the given skus only, when there are some (the console's join). */
export async function listStockLevels(
  db: Db,
  limit: number,
  cursor?: string,
  skus?: string[],
): Promise<{ items: StockLevel[]; nextCursor: string | null }> {
  const [after] = decodeCursor(cursor, ['string']) ?? [];
  const rows = await productsRepo.levels(db, limit + 1, {
    skus,
    after: after === undefined ? undefined : String(after),
  });
  return pageOf(rows, limit, (last) => [last.sku]);
}
