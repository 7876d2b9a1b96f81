CREATE TABLE orders (
  id text PRIMARY KEY,
  user_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED')),
  -- [{ sku, quantity, name, unitPrice }]; name and unitPrice come from inventory's reservation
  items jsonb NOT NULL,
  subtotal bigint NOT NULL DEFAULT 0,
  shipping_fee bigint NOT NULL,
  total bigint NOT NULL DEFAULT 0,
  payment_method text NOT NULL,
  wallet text,
  payment_status text,
  payment_reference text,
  shipping jsonb NOT NULL,
  courier text,
  tracking_number text,
  shipment_status text,
  -- The shipment's change counter: an older event arriving late is ignored.
  shipment_version integer NOT NULL DEFAULT 0,
  rejection_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_by_user ON orders (user_id, created_at DESC, id DESC);
CREATE INDEX orders_by_time ON orders (created_at DESC, id DESC);

-- The saga's progress: the next step to run; a lease keeps two replicas from running one saga at once.
CREATE TABLE sagas (
  order_id text PRIMARY KEY REFERENCES orders (id),
  step text NOT NULL CHECK (step IN ('RESERVE', 'AUTHORIZE', 'CONFIRM', 'COMPENSATE', 'CANCEL', 'DONE')),
  reason text,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  last_error text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sagas_due ON sagas (next_attempt_at) WHERE step <> 'DONE';

CREATE TABLE idempotency_keys (
  user_id text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  order_id text NOT NULL,
  response_status integer,
  response_body jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);

-- Every status an order passed through, for its event stream.
CREATE TABLE order_history (
  seq bigserial PRIMARY KEY,
  order_id text NOT NULL REFERENCES orders (id),
  status text NOT NULL,
  detail text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_history_by_order ON order_history (order_id, seq);
