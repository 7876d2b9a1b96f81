// How sagas end (confirmed, rejected and why, cancelled) and how long each step takes, for Prometheus.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { SagaStep } from '../data/sagas-repo.ts';

export type SagaOutcome = 'confirmed' | 'rejected' | 'cancelled';

export type SagaMetrics = {
  outcome(outcome: SagaOutcome, reason?: string): void;
  stepTook(step: SagaStep, seconds: number): void;
};

export function sagaMetrics(registry: Registry): SagaMetrics {
  const outcomes = new Counter({
    name: 'orders_saga_outcomes_total',
    help: 'Order sagas finished, by outcome (confirmed, rejected, cancelled) and rejection reason',
    labelNames: ['outcome', 'reason'] as const,
    registers: [registry],
  });
  const steps = new Histogram({
    name: 'orders_saga_step_duration_seconds',
    help: 'One attempt at one saga step (RESERVE, AUTHORIZE, CONFIRM, COMPENSATE, CANCEL), failed attempts included',
    labelNames: ['step'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // Present from the start, so rates over them are 0 rather than missing.
  for (const outcome of ['confirmed', 'cancelled']) outcomes.inc({ outcome }, 0);
  return {
    outcome: (outcome, reason) => outcomes.inc(reason ? { outcome, reason } : { outcome }),
    stepTook: (step, seconds) => steps.observe({ step }, seconds),
  };
}
