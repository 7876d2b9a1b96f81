-- Each status change NOTIFYs the order's id, delivered at commit (never on rollback), so that the event streams of
-- every replica wake at once; streams on this database's other replicas LISTEN on the channel.
CREATE FUNCTION notify_order_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('order_history', NEW.order_id);
  RETURN NULL;
END
$$;

-- PENDING is written with the order itself: no stream can be open on an order that has not committed yet.
CREATE TRIGGER order_history_notify AFTER INSERT ON order_history
  FOR EACH ROW WHEN (NEW.status <> 'PENDING') EXECUTE FUNCTION notify_order_history();
