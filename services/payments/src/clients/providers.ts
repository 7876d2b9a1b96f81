// The wallet providers: one adapter per provider for the whole process, so each keeps one circuit breaker.
import type { Logger } from '@bazaar/kit/telemetry';
import type { Tracer } from '@opentelemetry/api';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { PaymentsConfig } from '../config.ts';
import { notificationUnreadable, type WalletMethod } from '../domain/payment.ts';
import {
  type BreakerState,
  type CallbackCheck,
  createEasyPaisaProvider,
  createJazzCashProvider,
  type EasyPaisaProvider,
  easyPaisaHashInput,
  easyPaisaIpn,
  jazzCashHashInput,
  type PaymentProvider,
  ProviderUnavailableError,
  readEasyPaisaCallback,
  readJazzCashCallback,
  verifyEasyPaisaCallback,
  verifyJazzCashCallback,
} from '../providers/index.ts';

export type WalletProvider = PaymentProvider & { breakerState(): BreakerState };
export type Providers = { jazzcash: WalletProvider; easypaisa: EasyPaisaProvider };

/**
 * A callback the provider vouches for: the transaction it names, whether it reports a payment, and its identity (what
 * the signature covers, in the provider's canonical form: the same callback however it was re-encoded).
 */
export type Notice = { txnRef: string; paid: boolean; identity: string };

/** How a provider's callback is believed (signature and freshness, or its page on the provider's host) and read. */
export type CallbackReader = {
  accept(fields: Record<string, string>, now: Date, maxAgeMs: number): Promise<Notice | Exclude<CallbackCheck, 'ok'>>;
};

/** One adapter per provider; `seen` gives each call a span and its failures a log line. */
export function walletProviders(config: PaymentsConfig, seen?: { tracer: Tracer; log: Logger }): Providers {
  const resilience = { timeoutMs: config.timeoutMs, retries: config.retries };
  const observer = (provider: WalletMethod) => (seen ? { observer: { provider, ...seen } } : {});
  return {
    jazzcash: createJazzCashProvider({
      ...observer('jazzcash'),
      baseUrl: config.jazzcashUrl,
      merchantId: config.jazzcashMerchantId,
      password: config.jazzcashPassword,
      integritySalt: config.jazzcashIntegritySalt,
      mpin: config.jazzcashMpin,
      ...resilience,
    }),
    easypaisa: createEasyPaisaProvider({
      ...observer('easypaisa'),
      baseUrl: config.easypaisaUrl,
      storeId: config.easypaisaStoreId,
      username: config.easypaisaUsername,
      password: config.easypaisaPassword,
      ...resilience,
    }),
  };
}

export function callbackReaders(config: PaymentsConfig, providers: Providers): Record<WalletMethod, CallbackReader> {
  return {
    jazzcash: {
      async accept(fields, now, maxAgeMs) {
        const check = verifyJazzCashCallback(fields, config.jazzcashIntegritySalt, now, maxAgeMs);
        if (check !== 'ok') return check;
        return { ...readJazzCashCallback(fields), identity: jazzCashHashInput(fields, '') };
      },
    },
    easypaisa: {
      async accept(fields, now, maxAgeMs) {
        // A payment notification (IPN) is a URL on the provider's host to read, not a signed body.
        if (Object.keys(fields).length === 1 && fields[easyPaisaIpn.field]) {
          const page = await providers.easypaisa.notification(fields[easyPaisaIpn.field]).catch((err) => {
            throw err instanceof ProviderUnavailableError ? notificationUnreadable('EasyPaisa') : err;
          });
          return page === 'foreign' ? 'bad_signature' : { ...page, identity: fields[easyPaisaIpn.field] };
        }
        // Else the signed return of a hosted checkout.
        const check = verifyEasyPaisaCallback(fields, config.easypaisaHashKey, now, maxAgeMs);
        if (check !== 'ok') return check;
        return { ...readEasyPaisaCallback(fields), identity: easyPaisaHashInput(fields) };
      },
    },
  };
}

const breakerValue: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** The metrics of payments: each provider's breaker state, read when scraped, and authorisation outcomes. */
export function paymentMetrics(registry: Registry, providers: Providers) {
  new Gauge({
    name: 'payments_circuit_breaker_state',
    help: 'Circuit breaker state per provider: 0 closed, 1 half-open, 2 open',
    labelNames: ['provider'] as const,
    registers: [registry],
    collect() {
      for (const [name, provider] of Object.entries(providers))
        this.set({ provider: name }, breakerValue[provider.breakerState()]);
    },
  });
  const outcomes = new Counter({
    name: 'payments_authorizations_total',
    help: 'Payment authorisations decided, by method and outcome',
    labelNames: ['method', 'outcome'] as const,
    registers: [registry],
  });
  return { authorized: (method: string, outcome: string) => outcomes.inc({ method, outcome }) };
}

export type PaymentMetrics = ReturnType<typeof paymentMetrics>;
