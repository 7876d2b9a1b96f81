import { describe, expect, it } from 'vitest';
import {
  clusterPortOffsets,
  clusterPorts,
  type EmbeddedPorts,
  embeddedPortUses,
  ownPortSettings,
  portClash,
  portEnv,
  serviceUrls,
} from './ports.ts';
import { SERVICES } from './services.ts';

describe('cluster ports', () => {
  it('lays the services out in a row from the first, replicas 100 apart', () => {
    expect(clusterPorts(8081, 2)).toEqual({
      users: [8081],
      inventory: [8082, 8182],
      orders: [8083, 8183],
      payments: [8084],
      shipping: [8085],
    });
  });

  it('tells the gateway and orders where every replica is, and each instance its own ports', () => {
    const urls = serviceUrls(clusterPorts(8081, 2));
    expect(urls).toMatchObject({
      USERS_URL: 'http://127.0.0.1:8081',
      ORDERS_URL: 'http://127.0.0.1:8083,http://127.0.0.1:8183',
      INVENTORY_GRPC_URL: '127.0.0.1:9082,127.0.0.1:9182',
      PAYMENTS_GRPC_URL: '127.0.0.1:9084',
    });
    expect(urls).not.toHaveProperty('ORDERS_GRPC_URL');
    const [inventory, shipping] = [SERVICES[1], SERVICES[4]];
    expect(ownPortSettings(inventory, 8182)).toEqual({ INVENTORY_PORT: '8182', INVENTORY_GRPC_PORT: '9182' });
    expect(ownPortSettings(shipping, 8085)).toEqual({ SHIPPING_PORT: '8085' });
  });

  it('counts the gRPC ports of inventory and payments among the ports taken', () => {
    expect(clusterPortOffsets(2).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 101, 102, 1001, 1003, 1101]);
  });

  it('puts the gateway, the services and the sandboxes on the ports given', () => {
    const env = portEnv({ gateway: 9000, services: 12_000, jazzcash: 9001, easypaisa: 9002 });
    expect(env).toMatchObject({ PORT: '9000', SHIPPING_PORT: '12004', JAZZCASH_URL: 'http://127.0.0.1:9001' });
  });
});

describe('a port embedded mode finds taken', () => {
  const defaults: EmbeddedPorts = {
    gateway: 8080,
    users: 8081,
    inventory: 8082,
    orders: 8083,
    payments: 8084,
    shipping: 8085,
    jazzcash: 8091,
    easypaisa: 8092,
  };
  const inUse = (port: number) =>
    Object.assign(new Error(`listen EADDRINUSE: address already in use 127.0.0.1:${port}`), {
      code: 'EADDRINUSE',
      port,
    });
  // What grpc-js throws: the listen error folded into its own message, with no code.
  const grpcInUse = (port: number) =>
    new Error(
      `No address added out of total 1 resolved errors: [listen EADDRINUSE: address already in use 127.0.0.1:${port}]`,
    );

  it("names inventory's gRPC port and the variable that moves it, from grpc-js's message", () => {
    expect(portClash(grpcInUse(26082), embeddedPortUses({ ...defaults, inventory: 25082 }))).toBe(
      "port 26082 (inventory's gRPC port: INVENTORY_PORT + 1000) is in use; set INVENTORY_PORT, or stop what holds it",
    );
  });

  it('names the gRPC port setting itself when it is set', () => {
    expect(portClash(grpcInUse(9184), embeddedPortUses({ ...defaults, paymentsGrpc: 9184 }))).toBe(
      "port 9184 (payments' gRPC port: PAYMENTS_GRPC_PORT) is in use; set PAYMENTS_GRPC_PORT, or stop what holds it",
    );
  });

  it('names the gateway, a service or a sandbox from the listen error', () => {
    const uses = embeddedPortUses(defaults);
    expect(portClash(inUse(8080), uses)).toContain("(the gateway's port: PORT) is in use; set PORT");
    expect(portClash(inUse(8085), uses)).toContain("(shipping's port: SHIPPING_PORT) is in use; set SHIPPING_PORT");
    expect(portClash(inUse(8092), uses)).toContain("(the EasyPaisa sandbox's port: EASYPAISA_SANDBOX_PORT)");
  });

  it('says when two settings give the same port, which then clashes with Bazaar itself', () => {
    expect(portClash(grpcInUse(9082), embeddedPortUses({ ...defaults, users: 9082 }))).toBe(
      "port 9082 is given twice, as users' port (USERS_PORT) and inventory's gRPC port (INVENTORY_PORT + 1000); set USERS_PORT or INVENTORY_PORT to another port",
    );
  });

  it('leaves out ports set to 0, which are any free one, and any failure but a port in use', () => {
    const uses = embeddedPortUses({ ...defaults, inventory: 0, users: 0 });
    expect(uses.map((u) => u.moves)).not.toContain('INVENTORY_PORT');
    expect(uses.map((u) => u.moves)).not.toContain('USERS_PORT');
    expect(portClash(new Error('relation "orders" does not exist'), uses)).toBeUndefined();
  });
});
