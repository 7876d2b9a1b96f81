// The shipping service's settings, read once from the environment.
import { int, readConfig, str } from '@bazaar/kit/config';

export const spec = {
  port: int('SHIPPING_PORT', 'Port of the shipping service', 8085),
  host: str('SHIPPING_HOST', 'Interface the shipping service listens on', '127.0.0.1'),
  courierStepMs: int('COURIER_STEP_MS', 'How long the simulated courier takes for each step of a shipment', 2000),
};

export type ShippingConfig = ReturnType<typeof readConfig<typeof spec>>;
export const loadConfig = (overrides: Partial<ShippingConfig> = {}) => readConfig(spec, process.env, overrides);
