// useFollowedOrder: an order as its page shows it, read once and then followed live through its event stream (or by
// polling where a stream cannot be held), each status with the time it was reached and the detail it came with.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Order } from '../lib/api.ts';
import { isNewerStatus } from '../lib/order-status.ts';
import { type FollowState, followOrder, type OrderStatus, type StatusEvent } from '../lib/order-stream.ts';
import { ApiError } from '../lib/problems.ts';
import { api, getState, markReady, sessionEnded } from '../state.ts';

export type FollowedOrder = {
  order: Order | null;
  /** The newest status seen, from a read or the stream: never goes back. */
  status: OrderStatus | null;
  times: Record<string, string>;
  details: Record<string, string>;
  connection: FollowState;
  error: ApiError | null;
  /** Shows an order this page's own action answered (a cancel). */
  show(order: Order): void;
};

export function useFollowedOrder(id: string, signedIn: boolean): FollowedOrder {
  const [order, setOrder] = useState<Order | null>(null);
  const [status, setStatus] = useState<OrderStatus | null>(null);
  const [times, setTimes] = useState<Record<string, string>>({});
  const [details, setDetails] = useState<Record<string, string>>({});
  const [connection, setConnection] = useState<FollowState>('connecting');
  const [error, setError] = useState<ApiError | null>(null);
  const statusRef = useRef<string | null>(null);

  useEffect(() => {
    if (!signedIn) return;
    let live = true;
    statusRef.current = null;
    setOrder(null);
    setStatus(null);
    setTimes({});
    setDetails({});
    setError(null);
    /** Shows `next` if it is newer than the status shown; answers whether it was. */
    const advance = (next: OrderStatus) => {
      if (!isNewerStatus(statusRef.current, next)) return false;
      statusRef.current = next;
      setStatus(next);
      return true;
    };
    const refresh = () =>
      api.order(id).then((o) => {
        if (!live) return o;
        setOrder(o);
        advance(o.status);
        markReady();
        return o;
      });

    const follow = () =>
      followOrder({
        url: `/api/orders/${encodeURIComponent(id)}/events`,
        token: () => getState().session?.token,
        poll: async (): Promise<StatusEvent> => {
          const o = await refresh();
          return { status: o.status, at: o.updatedAt };
        },
        onStatus: (event) => {
          if (!live) return;
          setTimes((t) => (t[event.status] ? t : { ...t, [event.status]: event.at }));
          const { detail } = event;
          if (detail) setDetails((d) => (d[event.status] ? d : { ...d, [event.status]: detail }));
          // The stream replays every past status first; only a newer one may bring new facts (payment reference,
          // courier, tracking number), so only then is the order read again.
          if (advance(event.status)) refresh().catch(() => {});
        },
        onState: (state) => live && setConnection(state),
        onError: (e) => {
          if (e.status === 404) setError(new ApiError({ status: 404, code: 'NOT_FOUND' }));
          if (e.status === 401) sessionEnded();
        },
      });

    // The stream starts once the order has loaded: an unknown id is one request (its 404), not two.
    let follower: { stop: () => void } | undefined;
    refresh()
      .then(() => {
        if (live) follower = follow();
      })
      .catch((e: unknown) => live && e instanceof ApiError && setError(e));
    return () => {
      live = false;
      follower?.stop();
    };
  }, [id, signedIn]);

  const show = (o: Order) => {
    setOrder(o);
    statusRef.current = o.status;
    setStatus(o.status);
  };
  return { order, status, times, details, connection, error, show };
}
