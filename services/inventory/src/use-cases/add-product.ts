// Adding a product to the catalogue with its opening stock, announced as StockChanged 'created'.
import type { Db } from '@bazaar/kit/database';
import { productsRepo } from '../data/products-repo.ts';
import { type NewProduct, type Product, publicProduct, skuExists } from '../domain/product.ts';
import { announceStock } from './announce-stock.ts';

export async function addProduct(db: Db, input: NewProduct): Promise<Product> {
  return db.transaction(async (tx) => {
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
}
