-- A change counter per order, carried by every order event: read models keep the newest news by it. Timestamps
-- cannot order them: two transactions on one order may start in one order and take its row lock in the other.
ALTER TABLE orders ADD COLUMN version integer NOT NULL DEFAULT 0;
