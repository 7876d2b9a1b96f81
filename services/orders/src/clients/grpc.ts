// The gRPC adapters of the saga's ports (proto/inventory/v1, proto/payments/v1): the same answers as the REST adapters.
import {
  createBatcher,
  createGrpcClient,
  errorOfRefusal,
  type GrpcClient,
  loadService,
  type Refusal,
} from '@bazaar/kit/grpc';
import type { Tracer } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import type { AuthorizeResult, Inventory, Payments, ReservedLine, SyncUpstreams } from './ports.ts';

/** The messages we read, as proto-loader decodes them: camelCase fields, int64 paisa as a number. */
type Reservation = { orderId: string; status: string; lines: (ReservedLine & { unitPrice: { currency: string } })[] };
type Authorization = AuthorizeResult & { orderId: string; paymentId: string };
type PaymentStatus = { orderId: string; status: string };
/** One order's answer in a batch: exactly one of the two is set. */
type ReserveOutcome = { reservation: Reservation | null; refusal: Refusal | null };
type CommitOutcome = { committed: { orderId: string; status: string } | null; refusal: Refusal | null };

const proto = (path: string) => new URL(`../../../../proto/${path}`, import.meta.url);

/**
 * Reserve and Commit go through batches (ReserveMany, CommitMany): the calls that arrive while one batch is in flight
 * go together in the next, one inventory transaction for them all, each order answered as if called alone.
 */
export function grpcInventory(client: GrpcClient, tracer: Tracer, registry?: Registry): Inventory {
  const reserveMany = createBatcher({
    name: 'inventory/Reserve',
    tracer,
    registry,
    send: async (orders: { orderId: string; lines: { sku: string; quantity: number }[] }[]) =>
      (await client.call<{ outcomes: ReserveOutcome[] }>('ReserveMany', { orders })).outcomes,
  });
  const commitMany = createBatcher({
    name: 'inventory/Commit',
    tracer,
    registry,
    send: async (orderIds: string[]) =>
      (await client.call<{ outcomes: CommitOutcome[] }>('CommitMany', { orderIds })).outcomes,
  });
  return {
    async reserve(orderId, lines) {
      const outcome = await reserveMany({ orderId, lines });
      if (outcome.reservation) return { ok: true, lines: outcome.reservation.lines };
      const err = errorOfRefusal('inventory', outcome.refusal!);
      if (err.status === 409 && (err.code === 'OUT_OF_STOCK' || err.code === 'RESERVATION_RELEASED'))
        return { ok: false, code: err.code, shortages: err.problem?.shortages };
      throw err;
    },
    async commit(orderId) {
      const outcome = await commitMany(orderId);
      if (outcome.refusal) throw errorOfRefusal('inventory', outcome.refusal);
    },
    release: async (orderId) => void (await client.call('Release', { orderId })),
  };
}

/** A refused capture is a GrpcError, an UpstreamError with status 409, as the saga expects of REST. */
export function grpcPayments(client: GrpcClient): Payments {
  return {
    authorize: (req) => client.call<Authorization>('Authorize', req),
    capture: (orderId) => client.call<PaymentStatus>('Capture', { orderId }),
    void: (orderId) => client.call<PaymentStatus>('Void', { orderId }),
    refund: (orderId) => client.call<PaymentStatus>('Refund', { orderId }),
  };
}

export type GrpcSettings = {
  inventory: string;
  payments: string;
  timeoutMs: number;
  tracer: Tracer;
  registry: Registry;
  internalKey: string;
};

/**
 * grpcUpstreams connects to inventory and payments. Every method is retried on UNAVAILABLE because every one is
 * idempotent per order id by design: a repeat answers the stored outcome, never reserves, charges or refunds twice.
 */
export function grpcUpstreams(s: GrpcSettings): SyncUpstreams {
  const common = { tracer: s.tracer, registry: s.registry, internalKey: s.internalKey, timeoutMs: s.timeoutMs };
  const inventory = createGrpcClient({
    ...common,
    upstream: 'inventory',
    target: s.inventory,
    service: loadService(proto('inventory/v1/inventory.proto'), 'bazaar.inventory.v1.Inventory'),
    idempotent: ['Reserve', 'Commit', 'Release', 'ReserveMany', 'CommitMany'],
  });
  const payments = createGrpcClient({
    ...common,
    upstream: 'payments',
    target: s.payments,
    service: loadService(proto('payments/v1/payments.proto'), 'bazaar.payments.v1.Payments'),
    idempotent: ['Authorize', 'Capture', 'Void', 'Refund'],
  });
  return {
    inventory: grpcInventory(inventory, s.tracer, s.registry),
    payments: grpcPayments(payments),
    close: async () => {
      inventory.close();
      payments.close();
    },
  };
}
