-- One payment per order. A void or refund that comes before the authorisation leaves a VOIDED tombstone
-- (method and user unknown) so that a late authorisation is refused.
CREATE TABLE payments (
  id text PRIMARY KEY,
  order_id text NOT NULL UNIQUE,
  user_id text,
  method text CHECK (method IN ('jazzcash', 'easypaisa', 'cod')),
  wallet text,
  amount bigint NOT NULL CHECK (amount >= 0),
  status text NOT NULL CHECK (status IN ('AUTHORIZING', 'AUTHORIZED', 'CAPTURED', 'DECLINED', 'VOIDED', 'REFUNDED')),
  outcome text CHECK (outcome IN ('approved', 'declined', 'timeout', 'unavailable')),
  reason text,
  -- The provider's transaction reference (txnRefFor(orderId, 1)); null for cash on delivery.
  reference text,
  -- A provider call for this payment is in flight until lease_until: others wait, across processes.
  lease_token text,
  lease_until timestamptz,
  -- The provider may still hold money for a payment we released: check again at this time.
  reconcile_after timestamptz,
  reconcile_attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_by_user ON payments (user_id, created_at DESC, id DESC);
CREATE INDEX payments_by_time ON payments (created_at DESC, id DESC);
CREATE INDEX payments_by_reference ON payments (reference);
CREATE INDEX payments_to_reconcile ON payments (reconcile_after) WHERE reconcile_after IS NOT NULL;

-- The double-entry journal: an entry per authorisation, capture, void and refund of a payment, at most one of each.
CREATE TABLE journal_entries (
  id bigserial PRIMARY KEY,
  payment_id text NOT NULL REFERENCES payments (id),
  order_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('authorize', 'capture', 'void', 'refund')),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (payment_id, kind)
);
CREATE INDEX journal_entries_by_order ON journal_entries (order_id);

CREATE TABLE journal_lines (
  entry_id bigint NOT NULL REFERENCES journal_entries (id),
  line smallint NOT NULL,
  account text NOT NULL,
  debit bigint NOT NULL DEFAULT 0 CHECK (debit >= 0),
  credit bigint NOT NULL DEFAULT 0 CHECK (credit >= 0),
  CHECK ((debit > 0) <> (credit > 0)),
  PRIMARY KEY (entry_id, line)
);

-- The code checks every entry before it writes it; the database checks again at commit.
CREATE FUNCTION journal_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d bigint;
  c bigint;
  n integer;
BEGIN
  SELECT coalesce(sum(debit), 0), coalesce(sum(credit), 0), count(*) INTO d, c, n FROM journal_lines WHERE entry_id = NEW.entry_id;
  IF n < 2 OR d <> c THEN
    RAISE EXCEPTION 'journal entry % does not balance (% lines, debit %, credit %)', NEW.entry_id, n, d, c USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER journal_lines_balanced AFTER INSERT ON journal_lines
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_entry_balanced();

-- The journal is append-only: corrections are new entries.
CREATE FUNCTION journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the journal is append-only' USING ERRCODE = '42501';
END $$;
CREATE TRIGGER journal_entries_append_only BEFORE UPDATE OR DELETE ON journal_entries FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER journal_lines_append_only BEFORE UPDATE OR DELETE ON journal_lines FOR EACH ROW EXECUTE FUNCTION journal_append_only();

-- Every call made to a provider, for audit: authorisations, inquiries and reversals.
CREATE TABLE provider_attempts (
  id bigserial PRIMARY KEY,
  payment_id text NOT NULL REFERENCES payments (id),
  provider text NOT NULL,
  operation text NOT NULL CHECK (operation IN ('authorize', 'inquire', 'reverse')),
  txn_ref text NOT NULL,
  result text NOT NULL,
  detail text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX provider_attempts_by_payment ON provider_attempts (payment_id, id);

-- Provider callbacks as received; the unique key makes a replayed callback a no-op.
CREATE TABLE callbacks (
  id bigserial PRIMARY KEY,
  provider text NOT NULL,
  txn_ref text NOT NULL,
  payload_hash text NOT NULL,
  paid boolean NOT NULL,
  payload jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, txn_ref, payload_hash)
);
