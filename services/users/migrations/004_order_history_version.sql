-- Order summaries carry the order's change counter; the history keeps the summary with the highest one.
ALTER TABLE order_history ADD COLUMN version integer NOT NULL DEFAULT -1;
