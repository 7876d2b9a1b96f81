// An order's traces, found from its log lines: each trace it appears in, when, and what the services said there.
import type { LogLine } from './api.ts';

export type OrderTrace = { traceId: string; startedAt: string; services: string[]; messages: string[] };

/** Groups an order's lines by trace, oldest trace first; lines outside any trace are left out. */
export function tracesOfOrder(lines: readonly LogLine[]): OrderTrace[] {
  const byTrace = new Map<string, OrderTrace>();
  for (const line of lines) {
    if (!line.traceId) continue;
    let t = byTrace.get(line.traceId);
    if (!t) {
      t = { traceId: line.traceId, startedAt: line.time ?? '', services: [], messages: [] };
      byTrace.set(line.traceId, t);
    }
    if (line.time && (!t.startedAt || line.time < t.startedAt)) t.startedAt = line.time;
    if (line.service && !t.services.includes(line.service)) t.services.push(line.service);
    if (line.msg && !t.messages.includes(line.msg)) t.messages.push(line.msg);
  }
  return [...byTrace.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** The orders a trace's lines name, in the order first named: a trace page links back to each. */
export const ordersOfTrace = (lines: readonly LogLine[]): string[] => [
  ...new Set(lines.flatMap((line) => (typeof line.orderId === 'string' && line.orderId ? [line.orderId] : []))),
];
