-- The catalogue and its stock counters: available = on_hand - reserved.
-- Skus sort bytewise (COLLATE "C"), as the service sorts them to lock rows in one order and as cursors page them.
CREATE TABLE products (
  sku text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  price_paisa bigint NOT NULL CHECK (price_paisa > 0),
  initial_quantity bigint NOT NULL CHECK (initial_quantity >= 0),
  on_hand bigint NOT NULL CHECK (on_hand >= 0),
  reserved bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= on_hand),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Every admin correction of on-hand stock, with its reason.
CREATE TABLE stock_adjustments (
  id bigserial PRIMARY KEY,
  sku text COLLATE "C" NOT NULL REFERENCES products (sku),
  delta bigint NOT NULL CHECK (delta <> 0),
  reason text NOT NULL,
  made_by text,
  made_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stock_adjustments_sku ON stock_adjustments (sku);

-- One reservation per order; a RELEASED row without lines is a tombstone that refuses a late reserve.
CREATE TABLE reservations (
  order_id text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('RESERVED', 'COMMITTED', 'RELEASED')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- What a reservation holds, with the name and price the order was given.
CREATE TABLE reservation_lines (
  order_id text NOT NULL REFERENCES reservations (order_id),
  sku text COLLATE "C" NOT NULL REFERENCES products (sku),
  name text NOT NULL,
  quantity bigint NOT NULL CHECK (quantity > 0),
  unit_price_paisa bigint NOT NULL,
  PRIMARY KEY (order_id, sku)
);
CREATE INDEX reservation_lines_sku ON reservation_lines (sku);
