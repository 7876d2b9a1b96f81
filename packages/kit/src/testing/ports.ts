// Free ports for servers a test or the bench starts as child processes. They come from below Linux's ephemeral
// range (32768 and up): a port checked free there could be taken by any outgoing connection before the child
// bound it.
import { createServer } from 'node:net';

const LOWEST = 10_000;
const EPHEMERAL = 32_768;

/** isFree: nothing listens on the port of 127.0.0.1 now. */
export function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer().once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * freePortBlock: a base port such that base + each offset is free, all below the ephemeral range: the block a
 * platform lays its services out in (consecutive ports, replicas and gRPC a fixed step above).
 */
export async function freePortBlock(offsets: number[]): Promise<number> {
  const span = Math.max(0, ...offsets);
  for (;;) {
    const base = LOWEST + Math.floor(Math.random() * (EPHEMERAL - LOWEST - span));
    const free = await Promise.all(offsets.map((offset) => isFree(base + offset)));
    if (free.every(Boolean)) return base;
  }
}

/** freePorts: n distinct free ports, each anywhere below the ephemeral range. */
export async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePortBlock([0]));
  return [...ports];
}
