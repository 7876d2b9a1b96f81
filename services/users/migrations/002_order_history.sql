-- The users service's own read model of each customer's orders, fed by order events.
CREATE TABLE order_history (
  order_id text PRIMARY KEY,
  user_id text NOT NULL,
  status text NOT NULL,
  total bigint NOT NULL,
  item_count integer NOT NULL,
  tracking_number text,
  placed_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX order_history_by_user ON order_history (user_id, placed_at DESC, order_id DESC);
