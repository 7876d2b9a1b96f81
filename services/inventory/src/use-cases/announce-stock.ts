// StockChanged goes out through the outbox, in the transaction that changed the stock.
import type { Tx } from '@bazaar/kit/database';
import { enqueue } from '@bazaar/kit/messaging';
import { StockChanged, type StockChangedData, type StockChangeReason } from '../contracts.ts';
import type { StockedProduct } from '../domain/product.ts';

export async function announceStock(tx: Tx, p: StockedProduct, reason: StockChangeReason): Promise<void> {
  const data: StockChangedData = { sku: p.sku, available: p.available, onHand: p.onHand, reserved: p.reserved, reason };
  await enqueue(tx, 'inventory', { type: StockChanged, subject: p.sku, data });
}
