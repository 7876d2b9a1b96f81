// What the use cases share: their dependencies (the turns they take on one payment: payment-turns.ts).

import type { Db } from '@bazaar/kit/database';
import type { Logger } from '@bazaar/kit/telemetry';
import type { Tracer } from '@opentelemetry/api';
import type { CallbackReader, PaymentMetrics, Providers } from '../clients/providers.ts';
import type { WalletMethod } from '../domain/payment.ts';

export type Deps = {
  db: Db;
  log: Logger;
  /** Starts the traces of work no request began (the reconciliation sweep). */
  tracer: Tracer;
  providers: Providers;
  callbacks: Record<WalletMethod, CallbackReader>;
  metrics: PaymentMetrics;
  serial: Serial;
  settings: {
    /** How long a provider call may hold a payment before another caller may take over. */
    leaseMs: number;
    /** First delay before money that may sit at a provider is checked again. */
    reconcileMs: number;
    /** How long after its creation a payment the provider has no record of may still be completed there. */
    reconcileHorizonMs: number;
    callbackMaxAgeMs: number;
  };
};

export type Serial = { run<T>(key: string, fn: () => Promise<T>): Promise<T> };
