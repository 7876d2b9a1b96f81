// What the saga needs from the other services; gRPC adapters (the default) and REST ones implement these.
import { ReservationErrors } from '@bazaar/inventory/contracts';
import type { PaymentMethod } from '../contracts.ts';

export type ReservedLine = { sku: string; name: string; quantity: number; unitPrice: { amount: number } };

type RefusedReservation = typeof ReservationErrors.outOfStock | typeof ReservationErrors.released;

export type ReserveResult =
  | { ok: true; lines: ReservedLine[] }
  | { ok: false; code: RefusedReservation; priced?: ReservedLine[] };

/** Inventory refused the reservation itself (409): asking again answers the same. */
export const isRefusedReservation = (code: string | undefined): code is RefusedReservation =>
  code === ReservationErrors.outOfStock || code === ReservationErrors.released;

/** The lines an OUT_OF_STOCK refusal priced (those the catalogue knows), when it did. */
export const pricedOf = (problem: { lines?: unknown } | undefined): ReservedLine[] | undefined =>
  Array.isArray(problem?.lines) ? (problem.lines as ReservedLine[]) : undefined;

export interface Inventory {
  reserve(orderId: string, lines: { sku: string; quantity: number }[]): Promise<ReserveResult>;
  commit(orderId: string): Promise<void>;
  release(orderId: string): Promise<void>;
}

export type AuthorizeResult = {
  status: string;
  outcome: 'approved' | 'declined' | 'timeout' | 'unavailable';
  reference?: string;
  reason?: string;
};

export interface Payments {
  authorize(req: {
    orderId: string;
    userId: string;
    amount: number;
    method: PaymentMethod;
    wallet?: string;
    /** The last six digits of the customer's CNIC, JazzCash only: its debit goes as version 2.0. */
    cnic?: string;
  }): Promise<AuthorizeResult>;
  capture(orderId: string): Promise<{ status: string }>;
  void(orderId: string): Promise<{ status: string }>;
  refund(orderId: string): Promise<{ status: string }>;
}

/** The synchronous upstreams the saga calls, over one transport (INTERNAL_TRANSPORT). */
export type SyncUpstreams = { inventory: Inventory; payments: Payments; close(): Promise<void> };

/** A city we deliver to, named as shipping names it, and its fee in paisa. */
export type Rate = { city: string; fee: number };

export interface Shipping {
  /** The rate for a city however it was typed ("lahore "), or null when we do not deliver there. */
  rateFor(city: string): Promise<Rate | null>;
  /** Cancels the order's shipment unless the courier has picked it up; false when it has. */
  cancel(orderId: string): Promise<boolean>;
}
