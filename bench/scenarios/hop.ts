// Internal hop: the same call (inventory's Reserve shape: an order's lines in, priced lines out) over REST
// (Fastify + an undici keep-alive pool, JSON) and over gRPC (@grpc/grpc-js, one channel, channelz off as in the kit),
// from this process.
import { join } from 'node:path';
import { noChannelz } from '@bazaar/kit/grpc';
import { freePorts } from '@bazaar/kit/testing';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { Pool } from 'undici';
import { Histogram } from '../../apps/cli/src/load/stats.ts';
import { cpuDelta, root, spawnNode, treeCpu, waitFor } from '../lib/proc.ts';
import { fmt, median } from '../lib/report.ts';
import { type BenchSettings, emptyResult, type Scenario } from '../lib/types.ts';

const CONCURRENCY = 32;
const KEY = 'bench-internal-key';
const request = {
  orderId: 'ord_bench_0001',
  lines: [
    { sku: 'LAWN-001', quantity: 2 },
    { sku: 'TEA-001', quantity: 1 },
    { sku: 'RICE-001', quantity: 3 },
  ],
};

type Call = () => Promise<void>;

async function closedLoop(
  call: Call,
  durationS: number,
): Promise<{ rps: number; p50: number; p99: number; calls: number; errors: number }> {
  const h = new Histogram();
  let errors = 0;
  const deadline = performance.now() + durationS * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        try {
          await call();
          h.record(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { rps: h.count / seconds, p50: h.percentile(50), p99: h.percentile(99), calls: h.count, errors };
}

export const hopScenario: Scenario = {
  id: 'hop',
  title: 'Internal hop (REST vs gRPC)',
  async run(s: BenchSettings) {
    const result = emptyResult();
    const [restPort, grpcPort] = await freePorts(2);
    const server = spawnNode('hop server', join(root, 'bench/references/hop-server.ts'), [], {
      REST_PORT: String(restPort),
      GRPC_PORT: String(grpcPort),
      INTERNAL_KEY: KEY,
    });
    const pool = new Pool(`http://127.0.0.1:${restPort}`, { connections: CONCURRENCY, pipelining: 1 });
    const definition = loadSync(join(root, 'bench/references/hop.proto'), {
      keepCase: false,
      longs: Number,
      defaults: true,
    });
    const Client = grpc.makeClientConstructor(
      definition['bench.hop.v1.Inventory'] as grpc.ServiceDefinition,
      'Inventory',
    );
    const client = new Client(
      `127.0.0.1:${grpcPort}`,
      grpc.credentials.createInsecure(),
      noChannelz,
    ) as unknown as grpc.Client & {
      Reserve(req: unknown, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res: unknown) => void): void;
    };
    const body = JSON.stringify(request);
    const rest: Call = async () => {
      const res = await pool.request({
        method: 'POST',
        path: '/internal/reservations',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-internal-key': KEY },
        body,
      });
      const json = (await res.body.json()) as { lines: unknown[] };
      if (res.statusCode !== 200 || json.lines.length !== 3) throw new Error(`REST answered ${res.statusCode}`);
    };
    const rpc: Call = () =>
      new Promise((resolve, reject) => {
        const md = new grpc.Metadata();
        md.set('x-internal-key', KEY);
        client.Reserve(request, md, (err, res) => {
          if (err) reject(err);
          else if ((res as { lines: unknown[] }).lines.length !== 3) reject(new Error('short answer'));
          else resolve();
        });
      });
    const rows: Record<string, { rps: number; p50: number; p99: number; cpuUs: number; errors: number }> = {};
    try {
      await waitFor(`http://127.0.0.1:${restPort}/internal/reservations`, server, 30_000, null);
      for (const [id, call] of [
        ['REST', rest],
        ['gRPC', rpc],
      ] as const) {
        await call(); // connects
        s.log(`  ${id}: warm-up ${s.warmupS} s`);
        await closedLoop(call, s.warmupS);
        const reps: { rps: number; p50: number; p99: number; cpuUs: number; errors: number }[] = [];
        for (let i = 0; i < s.reps; i++) {
          const before = treeCpu(server.child.pid!);
          const client0 = process.cpuUsage();
          const r = await closedLoop(call, s.durationS);
          const serverCpu = cpuDelta(before, treeCpu(server.child.pid!));
          const clientCpu = process.cpuUsage(client0);
          const cpuUs = (serverCpu * 1e6 + clientCpu.user + clientCpu.system) / Math.max(r.calls, 1);
          reps.push({ rps: r.rps, p50: r.p50, p99: r.p99, cpuUs, errors: r.errors });
          s.log(
            `    rep ${i + 1}: ${fmt(r.rps, 0)} calls/s, p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, ${fmt(cpuUs, 1)} µs CPU/call`,
          );
        }
        rows[id] = {
          rps: median(reps.map((r) => r.rps)),
          p50: median(reps.map((r) => r.p50)),
          p99: median(reps.map((r) => r.p99)),
          cpuUs: median(reps.map((r) => r.cpuUs)),
          errors: reps.reduce((sum, r) => sum + r.errors, 0),
        };
      }
    } finally {
      client.close();
      await pool.close();
      await server.stop();
    }
    result.tables.push({
      caption: `Reserve(orderId, 3 lines) → 3 priced lines; ${CONCURRENCY} calls in flight from this process; median of ${s.reps} × ${s.durationS} s after ${s.warmupS} s of warm-up. CPU per call: client and server together. Both servers check the internal key; neither touches a database, so this is the transport's cost alone.`,
      columns: ['transport', 'calls/s', 'p50', 'p99', 'CPU per call', 'vs REST', 'errors'],
      rows: Object.entries(rows).map(([id, r]) => [
        id === 'REST' ? 'REST (Fastify + undici Pool, JSON)' : 'gRPC (@grpc/grpc-js, protobuf)',
        fmt(r.rps, 0),
        `${fmt(r.p50, 2)} ms`,
        `${fmt(r.p99, 2)} ms`,
        `${fmt(r.cpuUs, 1)} µs`,
        `${fmt(r.rps / rows.REST.rps, 2)}×`,
        r.errors,
      ]),
    });
    for (const [id, r] of Object.entries(rows)) {
      result.metrics[`${id.toLowerCase()}.callsPerS`] = r.rps;
      result.metrics[`${id.toLowerCase()}.p50Ms`] = r.p50;
      result.metrics[`${id.toLowerCase()}.p99Ms`] = r.p99;
      result.metrics[`${id.toLowerCase()}.cpuUsPerCall`] = r.cpuUs;
    }
    result.charts.push({
      title: 'Internal hop (calls/s, higher is better)',
      unit: 'calls/s',
      bars: Object.entries(rows).map(([id, r]) => ({ label: id, value: r.rps, highlight: id === 'gRPC' })),
    });
    return result;
  },
};
