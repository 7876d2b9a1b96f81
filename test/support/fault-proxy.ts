// A TCP fault proxy for tests, after toxiproxy: put it between a service and PostgreSQL, the broker or another
// service, then cut the link (every connection reset, new ones refused), stall it (bytes swallowed, so callers time
// out), or add latency; restore() ends a cut or a stall.
import { connect, createServer, type Server, type Socket } from 'node:net';

export type FaultProxy = {
  port: number;
  /** Resets every open connection and every new one until restore(). */
  cut(): void;
  /** Swallows every byte in both directions until restore(): connections stay open and nothing arrives. */
  stall(): void;
  restore(): void;
  /** Delays each chunk in both directions by ms (0 removes the delay). */
  latency(ms: number): void;
  close(): Promise<void>;
};

export async function faultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const open = new Set<Socket>();
  let down = false;
  let stalled = false;
  let delayMs = 0;
  const pipe = (from: Socket, to: Socket) =>
    from.on('data', (chunk) => {
      if (stalled) return;
      if (delayMs === 0) to.write(chunk);
      else setTimeout(() => to.writable && to.write(chunk), delayMs);
    });
  const server: Server = createServer((client) => {
    if (down) return void client.resetAndDestroy();
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => {
        open.delete(s);
        client.destroy();
        upstream.destroy();
      });
      s.on('error', () => {});
    }
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      down = true;
      for (const s of open) s.resetAndDestroy();
    },
    stall() {
      stalled = true;
    },
    restore() {
      // A stalled connection lost bytes mid-stream: it is ended rather than resumed out of step.
      if (stalled) for (const s of open) s.destroy();
      down = false;
      stalled = false;
    },
    latency(ms) {
      delayMs = ms;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
