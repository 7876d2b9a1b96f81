// A shipment's road from CREATED to DELIVERED, who carries it, and the errors of this bounded context.
import { randomInt } from 'node:crypto';
import type { NewEvent } from '@bazaar/kit/messaging';
import { AppError } from '@bazaar/kit/server';
import {
  ShipmentEvents,
  type ShipmentRecord,
  type ShipmentStatus,
  type ShipmentStatusChangedData,
} from '../contracts.ts';

export type { ShipmentStatus };
export type Shipment = ShipmentRecord;
/** A shipment that a courier carries: a tombstone never is one. */
export type Dispatched = Shipment & { userId: string; trackingNumber: string; courier: string; city: string };

const road: ShipmentStatus[] = ['CREATED', 'PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED'];
/** Statuses the courier still moves on. */
export const activeStatuses: ShipmentStatus[] = road.slice(0, -1);

/** nextStatus is the courier's next step, or null when the shipment has arrived or was cancelled. */
export function nextStatus(status: ShipmentStatus): ShipmentStatus | null {
  const at = road.indexOf(status);
  return at >= 0 && at < road.length - 1 ? road[at + 1] : null;
}

/** Only a parcel the courier has not picked up yet can be called back. */
export const isCancellable = (status: ShipmentStatus) => status === 'CREATED';

export const couriers = [
  { name: 'TCS', prefix: 'TCS' },
  { name: 'Leopards', prefix: 'LEO' },
  { name: 'M&P', prefix: 'MNP' },
  { name: 'Trax', prefix: 'TRX' },
  { name: 'BlueEx', prefix: 'BEX' },
] as const;
export type Courier = (typeof couriers)[number];

/** courierFor picks the same courier for a city every time (FNV-1a of its lower-cased name). */
export function courierFor(city: string): Courier {
  let hash = 0x811c9dc5;
  for (const ch of city.toLowerCase()) hash = Math.imul(hash ^ ch.codePointAt(0)!, 0x01000193) >>> 0;
  return couriers[hash % couriers.length];
}

/** A tracking number is the courier's prefix and twelve random digits, e.g. TCS048213377012. */
export const newTrackingNumber = (courier: Courier) =>
  `${courier.prefix}${String(randomInt(0, 1e12)).padStart(12, '0')}`;

/** Tracking numbers compare upper-cased and trimmed, as customers type them. */
export const normalizeTrackingNumber = (value: string) => value.trim().toUpperCase();

export const isDispatched = (s: Shipment): s is Dispatched => s.trackingNumber !== null;

/** The ShipmentStatusChanged event of a shipment's latest change. */
export function statusChanged(s: Dispatched): NewEvent<ShipmentStatusChangedData> {
  const data: ShipmentStatusChangedData = {
    trackingNumber: s.trackingNumber,
    orderId: s.orderId,
    userId: s.userId,
    courier: s.courier,
    city: s.city,
    status: s.status,
    at: s.updatedAt,
    version: s.history.length,
  };
  return { type: ShipmentEvents.statusChanged, subject: s.orderId, data };
}

export const notCancellable = (status: ShipmentStatus) =>
  new AppError('NOT_CANCELLABLE', 409, 'The courier has already picked up this shipment.', { status });
