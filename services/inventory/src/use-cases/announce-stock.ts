// StockChanged goes out through the outbox, in the transaction that changed the stock: one event per product, all
// of a transaction's in one statement.
import type { Tx } from '@bazaar/kit/database';
import { enqueueAll } from '@bazaar/kit/messaging';
import { StockChanged, type StockChangedData, type StockChangeReason } from '../contracts.ts';
import type { StockedProduct } from '../domain/product.ts';

export async function announceStock(tx: Tx, products: StockedProduct[], reason: StockChangeReason): Promise<void> {
  if (products.length === 0) return;
  await enqueueAll(
    tx,
    'inventory',
    products.map((p) => {
      const data: StockChangedData = {
        sku: p.sku,
        available: p.available,
        onHand: p.onHand,
        reserved: p.reserved,
        reason,
      };
      return { type: StockChanged, subject: p.sku, data };
    }),
  );
}
