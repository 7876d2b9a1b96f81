// Request rate, errors and latency per route, the RED metrics every service exposes, with the process's own.
import { collectDefaultMetrics, type Registry } from 'prom-client';
import { RequestDurations } from './request-durations.ts';

export type HttpMetrics = { observe(method: string, route: string, status: number, seconds: number): void };

export function httpMetrics(registry: Registry): HttpMetrics {
  collectDefaultMetrics({ register: registry });
  return new RequestDurations(
    'http_server_request_duration_seconds',
    'HTTP requests served, by method, route and status',
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  ).register(registry);
}
