// Adding a product to the catalogue with its opening stock, announced as StockChanged 'created'.
import type { Db } from '@bazaar/kit/database';
import type { Logger } from '@bazaar/kit/telemetry';
import { productsRepo } from '../data/products-repo.ts';
import { type NewProduct, type Product, publicProduct, skuExists } from '../domain/product.ts';
import { announceStock } from './announce-stock.ts';

/** The admin behind a change, and the request's logger that reports it (the starter catalogue has neither). */
export type ByAdmin = { adminId: string; log: Pick<Logger, 'info'> };

export async function addProduct(db: Db, input: NewProduct, by?: ByAdmin): Promise<Product> {
  const added = await db.transaction(async (tx) => {
    const product = await productsRepo.insert(tx, {
      sku: input.sku,
      name: input.name.trim(),
      description: input.description?.trim() ?? '',
      pricePaisa: input.price.amount,
      quantity: input.quantity,
    });
    if (!product) throw skuExists(input.sku);
    await announceStock(tx, [product], 'created');
    return publicProduct(product);
  });
  const facts = { sku: added.sku, price: added.price.amount, quantity: added.available };
  by?.log.info({ ...facts, by: by.adminId }, 'product created');
  return added;
}
