import { describe, expect, it } from 'vitest';
import { clusterPortOffsets, clusterPorts, portEnv } from './ports.ts';

describe('cluster ports', () => {
  it('lays the services out in a row from the first, replicas 100 apart', () => {
    expect(clusterPorts(8081, 2)).toEqual({
      users: 8081,
      inventory: [8082, 8182],
      orders: [8083, 8183],
      payments: 8084,
      shipping: 8085,
    });
  });

  it('counts the gRPC ports of inventory and payments among the ports taken', () => {
    expect(clusterPortOffsets(2).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 101, 102, 1001, 1003, 1101]);
  });

  it('puts the gateway, the services and the sandboxes on the ports given', () => {
    const env = portEnv({ gateway: 9000, services: 12_000, jazzcash: 9001, easypaisa: 9002 });
    expect(env).toMatchObject({ PORT: '9000', SHIPPING_PORT: '12004', JAZZCASH_URL: 'http://127.0.0.1:9001' });
  });
});
