// A bounded in-memory copy of the JSON log lines, so the console can show every service's lines for one trace.

export type LogEntry = {
  time?: string;
  level?: string;
  service?: string;
  traceId?: string;
  msg?: string;
  [field: string]: unknown;
};

export class LogStore {
  private readonly entries: LogEntry[] = [];
  private readonly capacity: number;

  constructor(capacity = 50_000) {
    this.capacity = capacity;
  }

  /** The pino destination interface: one JSON line per call. */
  write(line: string): void {
    try {
      this.entries.push(JSON.parse(line));
    } catch {
      return;
    }
    // Trimmed a quarter at a time: one splice per many adds, not an O(capacity) move on every add.
    if (this.entries.length > this.capacity * 1.25) this.entries.splice(0, this.entries.length - this.capacity);
  }

  /** The newest `limit` lines that match every filter given; orderId finds an order's lines in every trace. */
  query(filter: { traceId?: string; orderId?: string; service?: string; limit?: number }): LogEntry[] {
    const limit = filter.limit ?? 500;
    const found: LogEntry[] = [];
    for (let i = this.entries.length - 1; i >= 0 && found.length < limit; i--) {
      const e = this.entries[i];
      if (
        (!filter.traceId || e.traceId === filter.traceId) &&
        (!filter.orderId || e.orderId === filter.orderId) &&
        (!filter.service || e.service === filter.service)
      )
        found.push(e);
    }
    return found.reverse();
  }
}
