// Contracts are loaded from proto/ at run time: no code generation, so nothing to build.
import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** loadService reads one service ('bazaar.inventory.v1.Inventory') from a .proto file; fields arrive camelCased. */
export function loadService(file: URL | string, name: string): ServiceDefinition {
  const path = file instanceof URL ? fileURLToPath(file) : file;
  // int64 paisa fits a JS number; absent proto3 `optional` fields stay absent.
  const definition = loadSync(path, { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: false });
  const service = definition[name];
  // Messages and enums carry a `format`; services are a map of methods.
  if (!service || 'format' in service) throw new Error(`${name} is not a service in ${path}`);
  return service as ServiceDefinition;
}
