// Request rate, errors and latency per route, the RED metrics every service exposes.
import { collectDefaultMetrics, Histogram, type Registry } from 'prom-client';

export function httpMetrics(registry: Registry) {
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'HTTP requests served, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    observe(method: string, route: string, status: number, seconds: number) {
      duration.observe({ method, route, status: String(status) }, seconds);
    },
  };
}
