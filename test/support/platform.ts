// Starts the embedded platform on free ports with in-memory databases, as `npm start` would but isolated.
import type { LogSink } from '@bazaar/kit/telemetry';
import { type Embedded, startEmbedded } from '../../apps/cli/src/embedded.ts';

export const ADMIN = { email: 'admin@bazaar.test', password: 'admin-password' };

/** logSink receives every service's log lines (at logLevel, default debug when a sink is given, else silent). */
export function startTestPlatform(
  options: { courierStepMs?: number; rateLimitRps?: number; logSink?: LogSink; logLevel?: string } = {},
): Promise<Embedded> {
  return startEmbedded({
    dataRoot: 'memory://',
    admin: ADMIN,
    gateway: { port: 0, rateLimitRps: options.rateLimitRps ?? 0 },
    ports: { users: 0, inventory: 0, orders: 0, payments: 0, shipping: 0, jazzcash: 0, easypaisa: 0 },
    courierStepMs: options.courierStepMs ?? 100,
    logSink: options.logSink,
    logLevel: options.logLevel ?? (options.logSink ? 'debug' : 'silent'),
  });
}
