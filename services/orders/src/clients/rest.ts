// The REST adapters of the saga's ports, over the kit's traced HTTP client.
import { type Client, UpstreamError } from '@bazaar/kit/http';
import { unavailable } from '@bazaar/kit/server';
import {
  type Inventory,
  type Payments,
  pricedOf,
  type Rate,
  type ReservedLine,
  type Shipping,
  type SyncUpstreams,
} from './ports.ts';

const path = encodeURIComponent;

export function restInventory(http: Client): Inventory {
  return {
    async reserve(orderId, lines) {
      try {
        const res = await http.call<{ lines: ReservedLine[] }>('POST', '/internal/reservations', {
          body: { orderId, lines },
        });
        return { ok: true, lines: res.lines };
      } catch (err) {
        if (
          err instanceof UpstreamError &&
          err.status === 409 &&
          (err.code === 'OUT_OF_STOCK' || err.code === 'RESERVATION_RELEASED')
        )
          return { ok: false, code: err.code, shortages: err.problem?.shortages, priced: pricedOf(err.problem) };
        throw err;
      }
    },
    commit: async (orderId) => void (await http.call('POST', `/internal/reservations/${path(orderId)}/commit`)),
    release: async (orderId) => void (await http.call('POST', `/internal/reservations/${path(orderId)}/release`)),
  };
}

export function restPayments(http: Client): Payments {
  return {
    authorize: (req) => http.call('POST', '/internal/payments/authorize', { body: req }),
    capture: (orderId) => http.call('POST', `/internal/payments/${path(orderId)}/capture`),
    void: (orderId) => http.call('POST', `/internal/payments/${path(orderId)}/void`),
    refund: (orderId) => http.call('POST', `/internal/payments/${path(orderId)}/refund`),
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
        const found = await http.call<{ city: string; fee: { amount: number } }>(
          'GET',
          `/internal/rates/${path(city.trim())}`,
        );
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
        await http.call('POST', `/internal/shipments/by-order/${path(orderId)}/cancel`);
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
