// Embedded mode writes every service's JSON log lines to one file, and to the terminal with --verbose.
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { format } from 'node:util';
import { createLogger, type LogSink } from '@bazaar/kit/telemetry';
import { setLogger } from '@grpc/grpc-js';

export function fileSink(path: string, echo: boolean): { write(line: string): void; close(): Promise<void> } {
  mkdirSync(dirname(path), { recursive: true });
  const file = createWriteStream(path, { flags: 'a' });
  return {
    write(line) {
      file.write(line);
      if (echo) process.stdout.write(line);
    },
    close: () => new Promise((resolve) => file.end(resolve)),
  };
}

/**
 * grpcLogsTo: grpc-js's own diagnostics, which it writes to stderr ("E No address added…" when a port is taken, in
 * the middle of the progress line), go to the log file with the services' lines instead.
 */
export function grpcLogsTo(sink: LogSink, level: string): void {
  const log = createLogger('grpc-js', { sink, level });
  setLogger({
    error: (...args: unknown[]) => log.error({ detail: format(...args) }, 'grpc-js diagnostic'),
    info: (...args: unknown[]) => log.info({ detail: format(...args) }, 'grpc-js diagnostic'),
    debug: (...args: unknown[]) => log.debug({ detail: format(...args) }, 'grpc-js diagnostic'),
  });
}
