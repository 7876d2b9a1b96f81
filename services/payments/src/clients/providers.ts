// The wallet providers: one adapter per provider for the whole process, so each keeps one circuit breaker.
import type { Logger } from '@bazaar/kit/telemetry';
import type { Tracer } from '@opentelemetry/api';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { PaymentsConfig } from '../config.ts';
import type { WalletMethod } from '../domain/payment.ts';
import {
  type BreakerState,
  type CallbackCheck,
  createEasyPaisaProvider,
  createJazzCashProvider,
  easyPaisaHashInput,
  jazzCashHashInput,
  type PaymentProvider,
  readEasyPaisaCallback,
  readJazzCashCallback,
  verifyEasyPaisaCallback,
  verifyJazzCashCallback,
} from '../providers/index.ts';

export type WalletProvider = PaymentProvider & { breakerState(): BreakerState };
export type Providers = Record<WalletMethod, WalletProvider>;

/** How a provider's callback is checked (signature, freshness) and read (which transaction, paid or not). */
export type CallbackReader = {
  verify(fields: Record<string, unknown>, now: Date, maxAgeMs: number): CallbackCheck;
  read(fields: Record<string, unknown>): { txnRef: string; paid: boolean };
  /** What the signature covers, in the provider's canonical form: the same callback however it is re-encoded. */
  signed(fields: Record<string, unknown>): string;
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

export function callbackReaders(config: PaymentsConfig): Record<WalletMethod, CallbackReader> {
  return {
    jazzcash: {
      verify: (fields, now, maxAgeMs) => verifyJazzCashCallback(fields, config.jazzcashIntegritySalt, now, maxAgeMs),
      read: readJazzCashCallback,
      signed: (fields) => jazzCashHashInput(fields, ''),
    },
    easypaisa: {
      verify: (fields, now, maxAgeMs) => verifyEasyPaisaCallback(fields, config.easypaisaHashKey, now, maxAgeMs),
      read: readEasyPaisaCallback,
      signed: easyPaisaHashInput,
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
