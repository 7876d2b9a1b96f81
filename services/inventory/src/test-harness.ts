// Test support: an inventory service on PGlite in memory with the starter catalogue, every line it logs, and requests
// made as an admin, a customer or an anonymous caller (the gateway's headers, as the service receives them).
import { InProcessBroker } from '@bazaar/kit/messaging';
import { start } from './main.ts';

export const key = 'test-key';
export const admin = { 'x-internal-key': key, 'x-user-id': 'usr_admin', 'x-user-role': 'admin' };
export const customer = { 'x-internal-key': key, 'x-user-id': 'usr_ayesha', 'x-user-role': 'customer' };
export const anyone = { 'x-internal-key': key };
export const pkr = (amount: number) => ({ amount, currency: 'PKR' });

type Headers = Record<string, string>;
export type LogLine = { level: string; msg: string; [field: string]: unknown };

export async function harness() {
  const lines: LogLine[] = [];
  const svc = await start(
    {
      broker: new InProcessBroker(),
      internalKey: key,
      dataRoot: 'memory://',
      logSink: { write: (line) => lines.push(JSON.parse(line)) },
    },
    { port: 0, grpcPort: 0, seed: true },
  );
  const send = (method: 'POST' | 'PATCH', url: string, payload: unknown, headers: Headers = admin) =>
    svc.app.inject({ method, url, payload: payload as object, headers });
  return {
    svc,
    /** Every line the service logs, at the default level. */
    lines,
    get: (url: string, headers: Headers = anyone) => svc.app.inject({ url, headers }),
    post: (url: string, payload: unknown, headers?: Headers) => send('POST', url, payload, headers),
    patch: (url: string, payload: unknown, headers?: Headers) => send('PATCH', url, payload, headers),
  };
}
