-- CANCEL_ASKED: a cancellation written before shipping is asked to call the parcel back, so that an answer lost to a
-- timeout or a crash is asked again by the saga instead of leaving the shipment cancelled and the order CONFIRMED.
ALTER TABLE sagas DROP CONSTRAINT sagas_step_check;
ALTER TABLE sagas ADD CONSTRAINT sagas_step_check
  CHECK (step IN ('RESERVE', 'AUTHORIZE', 'CONFIRM', 'COMPENSATE', 'CANCEL_ASKED', 'CANCEL', 'DONE'));
