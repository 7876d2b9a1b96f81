// An admin's correction of stock on hand (a delivery, a count, breakage); never below what orders have reserved.
import type { Db } from '@bazaar/kit/database';
import { notFound } from '@bazaar/kit/server';
import { productsRepo } from '../data/products-repo.ts';
import { type Product, publicProduct, stockConflict } from '../domain/product.ts';
import type { ByAdmin } from './add-product.ts';
import { announceStock } from './announce-stock.ts';

export type Adjustment = { delta: number; reason: string };

export async function adjustStock(db: Db, sku: string, input: Adjustment, by: ByAdmin): Promise<Product> {
  const adjusted = await db.transaction(async (tx) => {
    const adjusted = await productsRepo.adjust(tx, sku, input.delta);
    if (!adjusted) {
      const current = await productsRepo.bySku(tx, sku);
      if (!current) throw notFound('No such product.');
      throw stockConflict(current, input.delta);
    }
    await productsRepo.recordAdjustment(tx, sku, input.delta, input.reason.trim(), by.adminId);
    await announceStock(tx, [adjusted], 'adjusted');
    return adjusted;
  });
  const { onHand, reserved, available } = adjusted;
  by.log.info(
    { sku, delta: input.delta, reason: input.reason.trim(), onHand, reserved, available, by: by.adminId },
    'stock adjusted',
  );
  return publicProduct(adjusted);
}
