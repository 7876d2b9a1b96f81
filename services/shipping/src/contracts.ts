// What other services may rely on from shipping: the shipment events and their payloads, and the internal API.
import type { Money } from '@bazaar/kit/server';

export const ShipmentEvents = { statusChanged: 'ShipmentStatusChanged' } as const;

export type ShipmentStatus = 'CREATED' | 'PICKED_UP' | 'IN_TRANSIT' | 'OUT_FOR_DELIVERY' | 'DELIVERED' | 'CANCELLED';

export type ShipmentStatusChangedData = {
  trackingNumber: string;
  orderId: string;
  userId: string;
  courier: string;
  city: string;
  status: ShipmentStatus;
  at: string;
  /** Counts the shipment's changes (CREATED is 1): events may arrive out of order, so ignore a lower one. */
  version: number;
};

/** Internal HTTP API (send x-internal-key), for orders and `bazaar verify`. */
export const shippingInternal = {
  /** GET → 200 CityRate · 404 UNKNOWN_CITY. The city matches case-insensitively, trimmed. */
  rate: (city: string) => `/internal/rates/${encodeURIComponent(city)}`,
  /** GET → 200 ShipmentRecord · 404 NOT_FOUND. */
  shipmentOfOrder: (orderId: string) => `/internal/shipments/by-order/${encodeURIComponent(orderId)}`,
  /** POST → 200 CancelShipmentResult · 409 NOT_CANCELLABLE once picked up. Idempotent. */
  cancelShipmentOfOrder: (orderId: string) => `/internal/shipments/by-order/${encodeURIComponent(orderId)}/cancel`,
} as const;

export type CityRate = { city: string; fee: Money };

export type CancelShipmentResult = { orderId: string; cancelled: true };

/** An order's shipment; trackingNumber, courier, city and userId are null when the order was cancelled before it shipped. */
export type ShipmentRecord = {
  orderId: string;
  userId: string | null;
  trackingNumber: string | null;
  courier: string | null;
  city: string | null;
  status: ShipmentStatus;
  history: { status: ShipmentStatus; at: string }[];
  createdAt: string;
  updatedAt: string;
};
