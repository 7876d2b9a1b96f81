-- The relay's trim deletes rows published before the retention window: without this it reads the whole table.
CREATE INDEX IF NOT EXISTS outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;
