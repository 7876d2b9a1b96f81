-- How many times each event reached the consumer: above 1, the inbox absorbed a redelivery (the effect ran once).
ALTER TABLE inbox ADD COLUMN IF NOT EXISTS deliveries integer NOT NULL DEFAULT 1;
