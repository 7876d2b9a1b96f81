// An admin's edit of a product's name, description or price. Orders already placed keep the price they reserved at:
// the saga takes each line's price from its reservation, never from the catalogue afterwards.
import type { Db } from '@bazaar/kit/database';
import { notFound } from '@bazaar/kit/server';
import { productsRepo } from '../data/products-repo.ts';
import { type Product, type ProductEdit, publicProduct } from '../domain/product.ts';
import type { ByAdmin } from './add-product.ts';

export async function editProduct(db: Db, sku: string, edit: ProductEdit, by: ByAdmin): Promise<Product> {
  const { before, after } = await db.transaction(async (tx) => {
    const [before] = await productsRepo.lock(tx, [sku]);
    if (!before) throw notFound('No such product.');
    const after = await productsRepo.edit(tx, sku, {
      name: edit.name?.trim(),
      description: edit.description?.trim(),
      pricePaisa: edit.price?.amount,
    });
    return { before, after };
  });
  by.log.info(
    {
      sku,
      fields: Object.keys(edit),
      price: after.price.amount,
      priceBefore: before.price.amount,
      by: by.adminId,
    },
    'product edited',
  );
  return publicProduct(after);
}
