// The gRPC adapters of the saga's ports (proto/inventory/v1, proto/payments/v1): the same answers as the REST adapters.
import {
  Code,
  createBatcher,
  createGrpcClient,
  errorOfRefusal,
  type GrpcClient,
  GrpcError,
  loadService,
  type Refusal,
} from '@bazaar/kit/grpc';
import type { Tracer } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import {
  type AuthorizeResult,
  type Inventory,
  isRefusedReservation,
  type Payments,
  pricedOf,
  type ReservedLine,
  type SyncUpstreams,
} from './ports.ts';

/** The messages we read, as proto-loader decodes them: camelCase fields, int64 paisa as a number. */
type Reservation = { orderId: string; status: string; lines: (ReservedLine & { unitPrice: { currency: string } })[] };
type Authorization = AuthorizeResult & { orderId: string; paymentId: string };
type PaymentStatus = { orderId: string; status: string };
/** One order's answer in a batch: exactly one of the two is set. */
type ReserveOutcome = { reservation: Reservation | null; refusal: Refusal | null };
type CommitOutcome = { committed: { orderId: string; status: string } | null; refusal: Refusal | null };
type CaptureOutcome = { captured: PaymentStatus | null; refusal: Refusal | null };

const proto = (path: string) => new URL(`../../../../proto/${path}`, import.meta.url);

/**
 * Reserve and Commit go through batches (ReserveMany, CommitMany): the calls that arrive while one batch is in flight
 * go together in the next, one inventory transaction for them all, each order answered as if called alone. An
 * inventory older than the batch methods answers them UNIMPLEMENTED: each order then calls alone (Reserve, Commit),
 * and batches are tried again a minute later, so a rolling upgrade in either order keeps placing orders.
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
  const batched = batchesWhileServed();
  return {
    async reserve(orderId, lines) {
      try {
        const reservation = await batched(
          async () => {
            const outcome = await reserveMany({ orderId, lines });
            if (outcome.reservation) return outcome.reservation;
            throw errorOfRefusal('inventory', outcome.refusal!);
          },
          () => client.call<Reservation>('Reserve', { orderId, lines }),
        );
        return { ok: true, lines: reservation.lines };
      } catch (err) {
        if (err instanceof GrpcError && err.status === 409 && isRefusedReservation(err.code))
          return { ok: false, code: err.code, priced: pricedOf(err.problem) };
        throw err;
      }
    },
    async commit(orderId) {
      await batched(
        async () => {
          const outcome = await commitMany(orderId);
          if (outcome.refusal) throw errorOfRefusal('inventory', outcome.refusal);
        },
        () => client.call('Commit', { orderId }),
      );
    },
    release: async (orderId) => void (await client.call('Release', { orderId })),
  };
}

/**
 * batchesWhileServed runs the batched form of a call until the upstream answers it UNIMPLEMENTED (an older version),
 * then the single form, for retryMs before the batched one is tried again.
 */
export function batchesWhileServed(retryMs = 60_000) {
  let singleUntil = 0;
  return async <T>(batched: () => Promise<T>, single: () => Promise<T>): Promise<T> => {
    if (Date.now() < singleUntil) return single();
    try {
      return await batched();
    } catch (err) {
      if (!(err instanceof GrpcError && err.grpcCode === Code.UNIMPLEMENTED)) throw err;
      singleUntil = Date.now() + retryMs;
      return single();
    }
  };
}

/**
 * With `batchCaptures`, Capture goes through batches (CaptureMany) as inventory's calls do, falling back to Capture
 * alone against an older payments service. Off by default: payments is one process that every saga crosses twice,
 * and on 2 cores gathering its captures cost more latency near capacity than it saved (bench/RESULTS.md, orders).
 * A refused capture is a GrpcError, an UpstreamError with status 409, as the saga expects of REST.
 */
export function grpcPayments(
  client: GrpcClient,
  tracer: Tracer,
  options: { batchCaptures?: boolean; registry?: Registry } = {},
): Payments {
  const capture = (orderId: string) => client.call<PaymentStatus>('Capture', { orderId });
  return {
    authorize: (req) => client.call<Authorization>('Authorize', req),
    capture: options.batchCaptures ? gatheredCaptures(client, tracer, capture, options.registry) : capture,
    void: (orderId) => client.call<PaymentStatus>('Void', { orderId }),
    refund: (orderId) => client.call<PaymentStatus>('Refund', { orderId }),
  };
}

/** Capture through CaptureMany batches, or `single` while payments does not serve them. */
function gatheredCaptures(
  client: GrpcClient,
  tracer: Tracer,
  single: (orderId: string) => Promise<PaymentStatus>,
  registry?: Registry,
): (orderId: string) => Promise<PaymentStatus> {
  const captureMany = createBatcher({
    name: 'payments/Capture',
    tracer,
    registry,
    send: async (orderIds: string[]) =>
      (await client.call<{ outcomes: CaptureOutcome[] }>('CaptureMany', { orderIds })).outcomes,
  });
  const batched = batchesWhileServed();
  return (orderId) =>
    batched(
      async () => {
        const outcome = await captureMany(orderId);
        if (outcome.refusal) throw errorOfRefusal('payments', outcome.refusal);
        return outcome.captured!;
      },
      () => single(orderId),
    );
}

export type GrpcSettings = {
  inventory: string;
  payments: string;
  timeoutMs: number;
  /** Gather the saga's captures into CaptureMany (ORDERS_BATCH_CAPTURES). */
  batchCaptures?: boolean;
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
    idempotent: ['Authorize', 'Capture', 'Void', 'Refund', 'CaptureMany'],
  });
  return {
    inventory: grpcInventory(inventory, s.tracer, s.registry),
    payments: grpcPayments(payments, s.tracer, { batchCaptures: s.batchCaptures, registry: s.registry }),
    close: async () => {
      inventory.close();
      payments.close();
    },
  };
}
