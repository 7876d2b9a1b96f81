// What other services may rely on: the StockChanged event and the internal reservation API the orders saga calls.
import type { Money } from '@bazaar/kit/server';

/** SKUs are upper-case letters, digits and hyphens, 2..40 characters, starting with a letter or digit: LAWN-001. */
export const SKU_PATTERN = '^[A-Z0-9][A-Z0-9-]{1,39}$';

export const StockChanged = 'StockChanged';
export type StockChangeReason = 'created' | 'adjusted' | 'reserved' | 'committed' | 'released';
/** One event per sku per transaction that changed its stock (a batch of reservations is one), with the levels after it. */
export type StockChangedData = {
  sku: string;
  available: number;
  onHand: number;
  reserved: number;
  reason: StockChangeReason;
};

/**
 * Internal reservation API: reached with the internal key and no user; idempotent per order id. The same calls are
 * served over gRPC: proto/inventory/v1/inventory.proto (Reserve, Commit, Release).
 */
export const reservationPaths = {
  reserve: '/internal/reservations',
  commit: (orderId: string) => `/internal/reservations/${encodeURIComponent(orderId)}/commit`,
  release: (orderId: string) => `/internal/reservations/${encodeURIComponent(orderId)}/release`,
} as const;

export type ReservationStatus = 'RESERVED' | 'COMMITTED' | 'RELEASED';

/** POST /internal/reservations. Skus must be distinct (400 otherwise); at most 100 lines. */
export type ReserveRequest = { orderId: string; lines: { sku: string; quantity: number }[] };
/** The stored reservation, lines in sku order with the authoritative name and unit price; status is COMMITTED on a retry after commit. */
export type ReserveResponse = {
  orderId: string;
  status: 'RESERVED' | 'COMMITTED';
  lines: { sku: string; name: string; quantity: number; unitPrice: Money }[];
};
/** POST /internal/reservations/{orderId}/commit */
export type CommitResponse = { orderId: string; status: 'COMMITTED' };
/** POST /internal/reservations/{orderId}/release */
export type ReleaseResponse = { orderId: string; status: 'RELEASED' };

/** Problem codes the reservation API answers with, besides VALIDATION_FAILED (400). */
export const ReservationErrors = {
  /** 409 from reserve; nothing was reserved. An unknown sku is a shortage with available 0. */
  outOfStock: 'OUT_OF_STOCK',
  /** 409 from reserve or commit: the order's reservation was released (or released before it was made). */
  released: 'RESERVATION_RELEASED',
  /** 404 from commit: no reservation for that order. */
  notFound: 'NOT_FOUND',
} as const;
export type Shortage = { sku: string; requested: number; available: number };
/** The extra fields of an OUT_OF_STOCK problem: what is short, and the lines the catalogue knows at its price. */
export type OutOfStockProblem = {
  code: 'OUT_OF_STOCK';
  shortages: Shortage[];
  lines: { sku: string; name: string; quantity: number; unitPrice: Money }[];
};
