// The internal hop's server: the same Reserve call (price an order's lines from memory) over REST (Fastify, JSON,
// the kit's style of internal route) and over gRPC (@grpc/grpc-js, proto loaded at run time), in one process.
import { join } from 'node:path';
import { noChannelz } from '@bazaar/kit/grpc';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import Fastify from 'fastify';

type Line = { sku: string; quantity: number };
const catalogue = new Map(
  [
    ['LAWN-001', 'Embroidered lawn suit, 3-piece', 450000],
    ['CHAPPAL-001', 'Peshawari chappal', 320000],
    ['RICE-001', 'Basmati rice, 5 kg', 215000],
    ['TEA-001', 'Kashmiri tea, 250 g', 95000],
  ].map(([sku, name, price]) => [sku as string, { name: name as string, price: price as number }]),
);
const reserve = (lines: Line[]) =>
  lines.map((l) => {
    const p = catalogue.get(l.sku) ?? { name: 'unknown', price: 0 };
    return { sku: l.sku, name: p.name, quantity: l.quantity, unitPrice: p.price };
  });

const key = process.env.INTERNAL_KEY ?? 'bench-internal-key';

const rest = Fastify({ logger: false });
rest.addHook('onRequest', async (req, reply) => {
  if (req.headers['x-internal-key'] !== key) return reply.code(401).send({ code: 'UNAUTHENTICATED' });
});
rest.post('/internal/reservations', async (req) => {
  const body = req.body as { orderId: string; lines: Line[] };
  return { lines: reserve(body.lines) };
});
await rest.listen({ port: Number(process.env.REST_PORT ?? 0), host: '127.0.0.1' });

const definition = loadSync(join(import.meta.dirname, 'hop.proto'), { keepCase: false, longs: Number, defaults: true });
const service = (definition['bench.hop.v1.Inventory'] ?? {}) as grpc.ServiceDefinition;
const server = new grpc.Server(noChannelz);
server.addService(service, {
  Reserve: (
    call: grpc.ServerUnaryCall<{ orderId: string; lines: Line[] }, unknown>,
    done: grpc.sendUnaryData<unknown>,
  ) => {
    if (call.metadata.get('x-internal-key')[0] !== key) return done({ code: grpc.status.UNAUTHENTICATED });
    done(null, { lines: reserve(call.request.lines) });
  },
});
await new Promise<void>((resolve, reject) =>
  server.bindAsync(`127.0.0.1:${process.env.GRPC_PORT ?? 0}`, grpc.ServerCredentials.createInsecure(), (err) =>
    err ? reject(err) : resolve(),
  ),
);
console.log('hop server ready');
process.on('SIGTERM', () => {
  server.forceShutdown();
  void rest.close().then(() => process.exit(0));
});
