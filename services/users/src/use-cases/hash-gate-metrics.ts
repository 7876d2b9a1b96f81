// The hashing gate's load, for Prometheus: how many password hashes run, and how many wait their turn.
import { Gauge, type Registry } from 'prom-client';
import type { HashGate } from '../domain/hash-gate.ts';

export function hashGateMetrics(gate: HashGate, registry: Registry): void {
  new Gauge({
    name: 'users_password_hashes',
    help: 'Sign-ups and logins at the hashing gate, by state: running (hashing) or waiting (for their turn)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const { running, waiting } = gate.stats();
      this.set({ state: 'running' }, running);
      this.set({ state: 'waiting' }, waiting);
    },
  });
}
