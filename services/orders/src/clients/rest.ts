// The REST adapters of the saga's ports, over the kit's traced HTTP client.
import { reservationPaths } from '@bazaar/inventory/contracts';
import { type Client, UpstreamError } from '@bazaar/kit/http';
import { unavailable } from '@bazaar/kit/server';
import { paymentsInternal } from '@bazaar/payments/contracts';
import { type CityRate, shippingInternal } from '@bazaar/shipping/contracts';
import {
  type Inventory,
  isRefusedReservation,
  type Payments,
  pricedOf,
  type Rate,
  type ReservedLine,
  type Shipping,
  type SyncUpstreams,
} from './ports.ts';

export function restInventory(http: Client): Inventory {
  return {
    async reserve(orderId, lines) {
      try {
        const res = await http.call<{ lines: ReservedLine[] }>('POST', reservationPaths.reserve, {
          body: { orderId, lines },
        });
        return { ok: true, lines: res.lines };
      } catch (err) {
        if (err instanceof UpstreamError && err.status === 409 && isRefusedReservation(err.code))
          return { ok: false, code: err.code, priced: pricedOf(err.problem) };
        throw err;
      }
    },
    commit: async (orderId) => void (await http.call('POST', reservationPaths.commit(orderId))),
    release: async (orderId) => void (await http.call('POST', reservationPaths.release(orderId))),
  };
}

export function restPayments(http: Client): Payments {
  return {
    authorize: (req) => http.call('POST', paymentsInternal.authorize, { body: req }),
    capture: (orderId) => http.call('POST', paymentsInternal.capture(orderId)),
    void: (orderId) => http.call('POST', paymentsInternal.void(orderId)),
    refund: (orderId) => http.call('POST', paymentsInternal.refund(orderId)),
  };
}

export function restUpstreams(inventory: Client, payments: Client): SyncUpstreams {
  return {
    inventory: restInventory(inventory),
    payments: restPayments(payments),
    close: async () => void (await Promise.all([inventory.close(), payments.close()])),
  };
}

export function restShipping(http: Client): Shipping {
  const rates = new Map<string, { rate: Rate; at: number }>();
  return {
    async rateFor(city) {
      const key = city.trim().toLowerCase();
      const cached = rates.get(key);
      if (cached && Date.now() - cached.at < 60_000) return cached.rate;
      try {
        const found = await http.call<CityRate>('GET', shippingInternal.rate(city.trim()));
        const rate = { city: found.city, fee: found.fee.amount };
        rates.set(key, { rate, at: Date.now() });
        return rate;
      } catch (err) {
        if (err instanceof UpstreamError && err.status === 404) return null;
        throw shippingDown(err);
      }
    },
    async cancel(orderId) {
      try {
        await http.call('POST', shippingInternal.cancelShipmentOfOrder(orderId));
        return true;
      } catch (err) {
        if (err instanceof UpstreamError && err.status === 409) return false;
        throw shippingDown(err);
      }
    },
  };
}

/** Shipping unreachable or failing (5xx) is a 503 to our caller, not our own 500: the request changed nothing. */
function shippingDown(err: unknown): unknown {
  if (err instanceof UpstreamError && err.status >= 500)
    return unavailable('The shipping service is unavailable. Try again shortly.');
  return err;
}
