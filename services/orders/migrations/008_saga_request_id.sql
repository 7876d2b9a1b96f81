-- The id of the request that last gave the saga work, beside its traceparent: a step the sweep retries later logs it,
-- and the events it writes carry it, as the request's own lines and events do.
ALTER TABLE sagas ADD COLUMN request_id text;
