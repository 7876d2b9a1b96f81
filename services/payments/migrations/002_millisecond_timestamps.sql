-- Paging cursors carry timestamps as JavaScript sees them, to the millisecond; stored with microseconds, rows
-- created within the same millisecond could be skipped at a page boundary. The keys are kept to milliseconds.
ALTER TABLE payments ALTER COLUMN created_at TYPE timestamptz(3);
