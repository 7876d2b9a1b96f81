-- The trace of the request that last gave the saga work (placing or cancelling the order): a step that the sweep
-- retries later runs in that trace, so the order's whole story reads as one trace and its lines carry its trace id.
ALTER TABLE sagas ADD COLUMN traceparent text;
