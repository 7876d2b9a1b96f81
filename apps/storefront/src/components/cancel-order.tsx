// CancelOrder: the order's Cancel button, the question it asks first, and what went wrong if the cancel did not.
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Order } from '../lib/api.ts';
import type { Reader } from '../lib/order-words.ts';
import { ApiError, friendlyMessage } from '../lib/problems.ts';
import { api } from '../state.ts';
import { Alert } from './bits.tsx';

type Props = {
  order: Order;
  reader: Reader;
  /** Whether the order may still be cancelled: the button shows only then (an earlier failure's words stay). */
  offered: boolean;
  onCancelled: (order: Order) => void;
  /** Where the keyboard goes once the button is gone: the status that says the order is cancelled. */
  after: RefObject<HTMLElement | null>;
};

export function CancelOrder({ order, reader, offered, onCancelled, after }: Props) {
  const [cancelling, setCancelling] = useState<'ask' | 'busy' | null>(null);
  const [cancelError, setCancelError] = useState<string | null>(null);
  // The question takes the keyboard's place when asked, and gives it back to Cancel order when the order is kept, or
  // to the status that says it is cancelled once the button is gone.
  const confirmRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  useEffect(() => {
    if (cancelling === 'ask') {
      asked.current = true;
      confirmRef.current?.focus();
    } else if (cancelling === null && asked.current) {
      asked.current = false;
      (cancelRef.current ?? after.current)?.focus();
    }
  }, [cancelling]);

  const cancel = async () => {
    setCancelling('busy');
    setCancelError(null);
    try {
      onCancelled(await api.cancelOrder(order.id));
    } catch (e) {
      setCancelError(e instanceof ApiError ? friendlyMessage(e.problem) : String(e));
    }
    setCancelling(null);
  };

  return (
    <>
      {cancelError && <Alert>{cancelError}</Alert>}
      {offered &&
        (cancelling === 'ask' ? (
          <div class="confirm">
            <p>
              {reader.own ? 'Cancel this order?' : `Cancel ${reader.customer ?? 'the customer'}’s order?`} Any payment
              is refunded.
            </p>
            <button type="button" class="button button--danger" onClick={cancel} ref={confirmRef}>
              Yes, cancel the order
            </button>{' '}
            <button type="button" class="button button--secondary" onClick={() => setCancelling(null)}>
              Keep the order
            </button>
          </div>
        ) : (
          <button
            type="button"
            class="button button--secondary"
            disabled={cancelling === 'busy'}
            onClick={() => setCancelling('ask')}
            ref={cancelRef}
          >
            {cancelling === 'busy' ? 'Cancelling…' : 'Cancel order'}
          </button>
        ))}
    </>
  );
}
