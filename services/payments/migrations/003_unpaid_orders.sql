-- Orders that ended before any payment was made (rejected out of stock, or voided before the authorisation):
-- their owner may still ask for the order's payments, and is answered an empty list rather than NOT_FOUND.
CREATE TABLE unpaid_orders (
  order_id text PRIMARY KEY,
  user_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
