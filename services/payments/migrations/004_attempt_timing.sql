-- `at` is when an attempt was recorded, after the call ended: keep when the call started and how long it took.
-- Both stay NULL on the rows recorded before, which still read (without them).
ALTER TABLE provider_attempts
  ADD COLUMN started_at timestamptz(3),
  ADD COLUMN duration_ms integer CHECK (duration_ms >= 0);
