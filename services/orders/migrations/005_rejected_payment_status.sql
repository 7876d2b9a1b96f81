-- An order rejected before any payment (out of stock) showed its payment PENDING for ever: it reads VOIDED now,
-- as the saga writes it, since nothing was charged and nothing will be.
UPDATE orders SET payment_status = 'VOIDED' WHERE status = 'REJECTED' AND payment_status IS NULL;
