// Starts the embedded platform on free ports with in-memory databases, as `npm start` would but isolated.
import { type Embedded, startEmbedded } from '../../apps/cli/src/embedded.ts';

export const ADMIN = { email: 'admin@bazaar.test', password: 'admin-password' };

export function startTestPlatform(options: { courierStepMs?: number; rateLimitRps?: number } = {}): Promise<Embedded> {
  return startEmbedded({
    dataRoot: 'memory://',
    admin: ADMIN,
    gateway: { port: 0, rateLimitRps: options.rateLimitRps ?? 0 },
    ports: { users: 0, inventory: 0, orders: 0, payments: 0, shipping: 0, jazzcash: 0, easypaisa: 0 },
    courierStepMs: options.courierStepMs ?? 100,
    logLevel: 'silent',
  });
}
