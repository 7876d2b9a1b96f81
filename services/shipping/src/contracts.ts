// What other services may rely on from shipping: the shipment events and their payloads.

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
};
