// Embedded mode writes every service's JSON log lines to one file, and to the terminal with --verbose.
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

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
