// A product as the catalogue shows it, its stock counters, and the errors of this bounded context.
import { AppError, type Money } from '@bazaar/kit/server';
import type { Shortage } from '../contracts.ts';
import type { ReservationLine } from './reservation.ts';

/** The most stock one creation or adjustment may name, and the most one order line may reserve. */
export const MAX_QUANTITY = 1_000_000;

/** What an admin (or the seed) gives to create a product; description defaults to ''. */
export type NewProduct = { sku: string; name: string; description?: string; price: Money; quantity: number };

/** What an admin may change of a product: any of these, at least one. Stock moves by adjustments only. */
export type ProductEdit = { name?: string; description?: string; price?: Money };

export type Product = { sku: string; name: string; description: string; price: Money; available: number };

/** A product with the counters behind `available`: available = onHand - reserved. */
export type StockedProduct = Product & { onHand: number; reserved: number };

/** The admin's view of one sku; initial + adjustments = available + reserved + sold always holds. */
export type StockLevel = {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
  sold: number;
  initial: number;
  adjustments: number;
};

export const publicProduct = ({ sku, name, description, price, available }: StockedProduct): Product => ({
  sku,
  name,
  description,
  price,
  available,
});

export const skuExists = (sku: string) =>
  new AppError('SKU_EXISTS', 409, `A product with sku ${sku} already exists.`, { sku });
export const stockConflict = (p: StockedProduct, delta: number) =>
  new AppError('STOCK_CONFLICT', 409, 'Stock on hand may not go below what is reserved.', {
    sku: p.sku,
    onHand: p.onHand,
    reserved: p.reserved,
    delta,
  });
/** `lines`: the order's lines the catalogue knows, at its price, as they would have been reserved. */
export const outOfStock = (shortages: Shortage[], lines: ReservationLine[] = []) =>
  new AppError('OUT_OF_STOCK', 409, 'Not enough stock for some lines; nothing was reserved.', { shortages, lines });
export const reservationReleased = (orderId: string) =>
  new AppError('RESERVATION_RELEASED', 409, 'The reservation of this order was released.', { orderId });
