-- The last six digits of the customer's CNIC, given for a JazzCash order: the saga sends it to payments on every
-- authorisation (a resumed one too), which makes the JazzCash debit version 2.0. Never shown in an Order or an event.
ALTER TABLE orders ADD COLUMN cnic text;
