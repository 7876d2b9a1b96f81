import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePortBlock, freePorts, isFree } from './ports.ts';

const listen = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

describe('free ports', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('a port something listens on is not free', async () => {
    const server = await listen(0);
    servers.push(server);
    expect(await isFree((server.address() as { port: number }).port)).toBe(false);
  });

  it('every port of a block is below the ephemeral range and can be bound', async () => {
    const offsets = [0, 1, 2, 101, 1001];
    const base = await freePortBlock(offsets);
    for (const offset of offsets) {
      expect(base + offset).toBeLessThan(32_768);
      servers.push(await listen(base + offset));
    }
  });

  it('freePorts gives distinct ports that can all be bound at once', async () => {
    const ports = await freePorts(4);
    expect(new Set(ports).size).toBe(4);
    for (const port of ports) servers.push(await listen(port));
  });
});
