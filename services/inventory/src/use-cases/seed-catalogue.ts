// The starter catalogue goes in on a first start, through the same use case as an admin's creation.
import type { Db } from '@bazaar/kit/database';
import { AppError } from '@bazaar/kit/server';
import { productsRepo } from '../data/products-repo.ts';
import { starterCatalogue } from '../domain/starter-catalogue.ts';
import { addProduct } from './add-product.ts';

/** Seeds only an empty catalogue and returns how many products it added. */
export async function seedCatalogue(db: Db): Promise<number> {
  if ((await productsRepo.count(db)) > 0) return 0;
  let added = 0;
  for (const product of starterCatalogue) {
    try {
      await addProduct(db, product);
      added++;
    } catch (err) {
      // A replica starting at the same moment seeded this one first.
      if (!(err instanceof AppError && err.code === 'SKU_EXISTS')) throw err;
    }
  }
  return added;
}
