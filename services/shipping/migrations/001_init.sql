-- What it costs to ship to a city from the Lahore warehouse; matched case-insensitively.
CREATE TABLE city_rates (
  city text PRIMARY KEY,
  fee integer NOT NULL CHECK (fee >= 0)
);
CREATE UNIQUE INDEX city_rates_key ON city_rates (lower(city));

-- One row per order: a shipment, or a tombstone (no tracking number, CANCELLED) when the order was cancelled
-- before its OrderConfirmed arrived, so that a late event finds the order taken and creates nothing.
CREATE TABLE shipments (
  order_id text PRIMARY KEY,
  user_id text,
  tracking_number text UNIQUE,
  courier text,
  city text,
  address text,
  phone text,
  status text NOT NULL CHECK (status IN ('CREATED', 'PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED', 'CANCELLED')),
  history jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK (tracking_number IS NOT NULL OR status = 'CANCELLED')
);
-- The courier simulator's queue: active shipments, oldest change first.
CREATE INDEX shipments_active ON shipments (updated_at) WHERE status IN ('CREATED', 'PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY');
CREATE INDEX shipments_newest ON shipments (created_at DESC, order_id DESC);
