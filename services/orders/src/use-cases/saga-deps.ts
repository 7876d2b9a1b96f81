// What the saga's use cases share: the database, the other services, the settings, and the stream notifier.
import type { Db } from '@bazaar/kit/database';
import type { Logger } from '@bazaar/kit/telemetry';
import type { Tracer } from '@opentelemetry/api';
import type { Inventory, Payments, Shipping } from '../clients/ports.ts';
import type { OrdersConfig } from '../config.ts';
import type { OrderNotifier } from '../domain/notifier.ts';
import type { SagaMetrics } from './saga-metrics.ts';

export type Deps = {
  db: Db;
  inventory: Inventory;
  payments: Payments;
  shipping: Shipping;
  notifier: OrderNotifier;
  log: Logger;
  config: OrdersConfig;
  /** Saga outcomes and step durations (absent in tests that do not look at them). */
  metrics?: SagaMetrics;
  /** Traces the steps the sweep resumes, in the trace of the request that began them (absent: untraced). */
  tracer?: Tracer;
};
