// The inventory service's settings, read once from the environment.
import { bool, grpcPort, int, readConfig, str } from '@bazaar/kit/config';

export const spec = {
  port: int('INVENTORY_PORT', 'Port of the inventory service', 8082),
  host: str('INVENTORY_HOST', 'Interface the inventory service listens on', '127.0.0.1'),
  grpcPort: grpcPort(
    'INVENTORY_GRPC_PORT',
    'Port of its gRPC API (Reserve, Commit, Release) for the orders saga; default: INVENTORY_PORT + 1000 (9082), any free port when that is 0',
  ),
  seed: bool('INVENTORY_SEED', 'Seed the starter catalogue when the products table is empty', true),
};

export type InventoryConfig = ReturnType<typeof readConfig<typeof spec>>;
export const loadConfig = (overrides: Partial<InventoryConfig> = {}) => readConfig(spec, process.env, overrides);
