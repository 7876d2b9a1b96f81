// What the profiles say and what to try, per scenario, printed in RESULTS.md under a scenario whose budget is missed.
// Written from reading the profiles of bench runs and the code they point at; keep it in step with both.
import { fmt } from './lib/report.ts';
import type { ScenarioResult } from './lib/types.ts';

type Profile = ScenarioResult['profiles'][number];

const share = (p: Profile | undefined, test: (f: Profile['top'][number]) => boolean) =>
  p ? p.top.filter(test).reduce((sum, f) => sum + f.pct, 0) : 0;
const area = (p: Profile | undefined, test: (area: string) => boolean) =>
  p ? p.byArea.filter((a) => test(a.area)).reduce((sum, a) => sum + a.pct, 0) : 0;
const pct = (n: number) => `${Math.round(n)} %`;

/** The gateway's list follows its profile: a bullet for each hot spot the profile of this run shows. */
function gateway(result: ScenarioResult): string[] {
  const p = result.profiles[0];
  const out: string[] = [];
  const spans = share(p, (f) => f.where.includes('telemetry/span-store.ts'));
  if (spans >= 3)
    out.push(
      `\`SpanStore.add\` (packages/kit/src/telemetry/span-store.ts) takes ${pct(spans)} of the gateway's self time: once the store holds its 20,000 spans, every new span does \`splice(0, 1)\` on the full array, an O(capacity) move, twice per proxied request (SERVER and CLIENT span). A ring buffer (fixed array and a head index), or trimming in batches, makes it O(1).`,
    );
  const logs = share(p, (f) => f.where.includes('telemetry/log-store.ts'));
  const pino = area(p, (a) => a === 'pino' || a === '@pinojs/redact');
  if (logs >= 3 || pino >= 3)
    out.push(
      `Logging costs ${pct(logs + pino)} (pino ${pct(pino)}, the log store ${pct(logs)}): the store keeps what LOG_LEVEL lets through, and the hot path (services/gateway/src/api/proxy-edge.ts) writes a "request completed" line only at debug, so at warn something else logs on every request: look for a warning per request (an ejected replica, a failing health check).`,
    );
  const io = area(p, (a) => a.startsWith('native: socket I/O'));
  if (io >= 10)
    out.push(
      `Socket I/O is ${pct(io)} of self time (native \`writeLatin1String\`, \`writev\`, reads): one read and one write on each of the two connections per request, each answer's head and body in one write. Part of this share is not CPU: on 2 cores a write on loopback wakes the reader (wrk or the upstream), the scheduler often runs it at once, and the profiler's sample lands in the write. nginx pays the same syscalls: this part is the floor every proxy here shares. Counted with \`strace -c\` on the gateway and on @fastify/http-proxy under the same wrk load (2026-12-06): both make 2 writes and 2 reads per request, so they differ only by their JavaScript, and where syscalls and wake-ups are dear the ratio between them shrinks (2.26× on a host whose wake-up check read 0.8–1.2 ms after idle, 1.49× on one that read 1.4–1.5 ms, the same code). Fewer syscalls than that would need HTTP pipelining to the upstream, which puts a slow answer in front of quick ones.`,
    );
  const otel = area(p, (a) => a.startsWith('@opentelemetry/'));
  const tracer = share(
    p,
    (f) => f.where.includes('telemetry/lean-tracer.ts') || f.where.includes('telemetry/span-store.ts'),
  );
  if (otel + tracer >= 3)
    out.push(
      `Spans (one SERVER span per request, recorded by packages/kit/src/telemetry/lean-tracer.ts and kept by the span store) cost ${pct(tracer)} in the kit and ${pct(otel)} in OpenTelemetry's own code (context, time). Sampling what the store keeps while still propagating \`traceparent\` is what is left to cut.`,
    );
  out.push(
    "Proxied requests skip node:http's request and response objects, Fastify and undici: api/fast-lane.ts serves keep-alive connections on the socket while every request on them is a proxied call (heads read by the strict reader of domain/http-heads.ts; any other request hands the connection to node:http), and clients/relay-connections.ts relays on keep-alive sockets, plain answers read by the same strict reader. Relay sockets read into one shared buffer (node's `onread`), spans skip the SDK's per-span machinery (lean-tracer.ts) and request durations are plain counters (packages/kit/src/server/request-durations.ts). What is left is the gateway's own work (token check from cache, token bucket, ids, header filtering), the span, and the two socket writes per request.",
    'On 2 cores the load generator (wrk), the proxy and the upstream compete: every proxy is CPU-bound here, so req/s is requests per CPU-second available to it. The "by CPU per request" ratio in the budget line is the comparison least disturbed by other work on the machine.',
  );
  return out;
}

/** Order placement's list follows this run's numbers: the allowance, where cluster mode's CPU goes, the profiles. */
function orders(result: ScenarioResult): string[] {
  const m = result.metrics;
  const out: string[] = [];
  const naive = m['naive.ordersPerS'];
  const cluster = m['cluster.cpuMsPerOrder'];
  const cores = m.cores;
  if (naive && cluster && cores) {
    const allowance = (cores * 1000) / (0.25 * naive);
    out.push(
      `Throughput here is ${cores} cores ÷ CPU per order, whichever mode. The budget (0.25× the naive chain's ${fmt(naive, 0)} orders/s) allows ${fmt(allowance, 2)} ms of CPU per order across every process, database included; cluster mode spends ${fmt(cluster, 1)} ms (${fmt(cluster / allowance, 0)}× that), the naive chain ${fmt(m['naive.cpuMsPerOrder'] ?? 0, 2)} ms, because it does none of the work below: no durable write, no broker, one HTTP hop.`,
    );
  }
  const parts = Object.entries(m)
    .filter(([k, v]) => k.startsWith('cluster.cpuMsPerOrder.') && v !== null)
    .map(([k, v]) => [k.slice('cluster.cpuMsPerOrder.'.length), v as number] as const);
  const database = parts.filter(([p]) => p.startsWith('PostgreSQL')).reduce((sum, [, ms]) => sum + ms, 0);
  const xacts = m['cluster.dbTransactionsPerOrder'];
  if (parts.length > 0) {
    const node = parts.filter(([p]) => !p.startsWith('PostgreSQL')).sort((a, b) => b[1] - a[1]);
    out.push(
      `By process (the table above): the Node services take ${fmt(
        node.reduce((sum, [, ms]) => sum + ms, 0),
        1,
      )} ms per order (${node
        .slice(0, 4)
        .map(([p, ms]) => `${p} ${fmt(ms, 1)}`)
        .join(
          ', ',
        )}), PostgreSQL's backends ${fmt(database, 1)} ms${xacts ? ` for ${fmt(xacts, 1)} transactions (${fmt(database / xacts, 2)} ms each)` : ''}. Each order crosses the gateway, an orders replica, inventory twice (Reserve and Commit over gRPC), payments (Authorize over gRPC, the provider sandbox over HTTP with request signing, capture) and back, then OrderConfirmed through the outbox and the broker to shipping and users; every hop is a parsed request, a span and SQL round trips.`,
    );
  }
  const wakeups = m['cluster.wakeupsPerOrder'];
  if (wakeups && cluster) {
    const check = result.wakeup;
    out.push(
      `Wake-ups: the cluster's processes and backends are put to sleep and woken ${fmt(wakeups, 0)} times per order (the table above), ${fmt((1000 * cluster) / wakeups, 0)} µs of CPU per wake-up on average${check ? `; the wake-up check on this host priced one trivial request at ${fmt(check.hotUs, 0)} µs in a busy server and ${fmt(check.afterIdleUs, 0)} µs after ${check.gapMs} ms asleep` : ''}. Where a wake-up costs that much more than the work it brings, the CPU per order follows the number of wake-ups: fewer round trips (statements deferred to the next one or the COMMIT, marks of the outbox gathered), fewer hops and more messages per wake-up cut it, and a faster function hardly does.`,
    );
    out.push(
      "Where the wake-ups come from (strace of every process and backend, 20 orders 200 ms apart, at dd122f9): about two thirds are SQL round trips, half in the service and half in its backend; then the broker (each publish's confirm, each delivery); then gRPC, where every unary answer wakes the caller twice, because Node's http2 sends the trailers (grpc-status) in a write of their own after the message's write completes: about 1 ms later, with grpc-js and with a bare node:http2 server alike. V8 flags do not help: an A/B at 25 orders/s evenly paced gave 31-32 ms of CPU per order by default, 31-33 with --no-flush-bytecode and 37-40 with --no-maglev.",
    );
    out.push(
      "The order's own path (strace of every service's main thread for one order, 2026-12-07): the relay published a commit's events inside the commit, before the committer's code went on, so inventory's and payments' gRPC trailers (the end of the answers the saga waits for) and orders' ReserveMany each waited behind a RabbitMQ publish. The relay now publishes once the committer has sent what comes next, and the saga commits the stock while payments captures (they were one after the other). Interleaved A/B, two cluster starts each way (`bazaar load --mix order=1`): one customer placing orders back to back, p50 26.5 and 27.5 ms before, 23.3 and 21.5 ms after; 32 customers (the closed-loop peak), 96-101 orders/s before and 99-104 after: the CPU per order is the same work in another order, so the peak hardly moves.",
    );
  }
  const batches = Object.entries(m)
    .filter(([k, v]) => k.startsWith('cluster.batchItems.') && v !== null)
    .map(([k, v]) => `${k.slice('cluster.batchItems.'.length)} ${fmt(v as number, 2)}`);
  if (batches.length > 0)
    out.push(
      `Batching: orders gathers the saga's Reserve and Commit calls (and Capture, with ORDERS_BATCH_CAPTURES) that arrive while a batch is in flight into one ReserveMany or CommitMany (or CaptureMany), one transaction of the callee for them all; in this run a batch carried on average ${batches.join(', ')} orders. At a few dozen orders per second few calls wait, so batches stay small. Measured when inventory's came (2026-12-06): its transactions per order fell from 2.5 to 1.3 and its PostgreSQL backend's wake-ups from 17 to 9, while the cluster's whole CPU per order stayed within this host's swings (4 interleaved runs each: 37-57 orders/s before, 41-60 after). A batch grows with the rate, so it carries most where the budget's rate is. Gathering captures too (CaptureMany, ORDERS_BATCH_CAPTURES=true) was measured in interleaved runs (2026-12-06): payments' transactions per order fell from 3.4 to 2.6 and the closed-loop peak read higher (about 55 against 47 orders/s, means of 8 runs each way), but at 80 % of that peak the p99 was 735-954 ms (6 runs) against 314-743 ms without (4 runs), and letting more batches be in flight (6, or no limit) gave 373-1,018 ms (4 runs); so it is off by default.`,
    );
  out.push(
    'Replicas: cluster mode runs two replicas each of orders and inventory, which on 2 cores buys no CPU and splits the calls a batch could gather between two processes, each with its own wake-ups. Measured with `REPLICAS=1` (2026-12-07, AMD EPYC host, `bazaar load --mix order=1 --users 32 --duration 15s` after 10 s of warm-up, a fresh cluster each run): 76 orders/s (p99 639 ms) with one replica each, against 48 and 60 orders/s (p99 1.12 s and 970 ms) with two. The budget is judged on the two replicas cluster mode runs; on a machine with more cores the second replica is what adds capacity.',
  );
  const profiled = result.profiles.filter((p) => p.process.startsWith('cluster:'));
  const avg = (test: (a: string) => boolean) =>
    profiled.length ? profiled.reduce((sum, p) => sum + area(p, test), 0) / profiled.length : 0;
  if (profiled.length > 0)
    out.push(
      `In the busiest service profiles (mean self time): socket I/O ${pct(avg((a) => a.startsWith('native: socket I/O')))}, grpc-js and node:http2 ${pct(avg((a) => a === '@grpc/grpc-js' || a === 'node: http2'))}, pg and pg-protocol ${pct(avg((a) => a === 'pg' || a === 'pg-protocol'))}, OpenTelemetry ${pct(avg((a) => a.startsWith('@opentelemetry/')))}. No one library dominates: what cuts CPU per order is fewer hops and round trips per order (the internal-hop section shows a gRPC call costing more CPU than a REST one here), not a faster function.`,
    );
  const embedded = result.profiles.find((p) => p.process.startsWith('embedded:'));
  if (embedded)
    out.push(
      `Embedded mode: PostgreSQL compiled to WASM (PGlite and its JavaScript glue) is ${pct(area(embedded, (a) => a.includes('PGlite') || a === '@electric-sql/pglite'))} of all CPU, on the one JavaScript thread that the database (one PGlite, a schema per service), the gateway and every HTTP hop share (one PGlite instead of one per service took the CPU per order from 36 to 30 ms, 2026-12-06); PGlite in worker threads was tried (a thread per database, a message each way per statement) and measured slower here: five databases opened in 2.0 s instead of 1.2–1.4 s with twice the CPU (each thread loads PGlite's JavaScript afresh), and 5 × 1,000 two-statement transactions took 3.7 s instead of 2.6 s, the messages' wake-ups costing more than the second core gave.`,
    );
  out.push(
    "The p99 at 80 % of peak: the table of the slowest orders' traces shows where their time went. When no row stands out and every hop's own time is a few times its median, the tail is the wait for one of the 2 cores (9 Node processes, their PostgreSQL backends and RabbitMQ), not one slow step; a wait for a pooled database connection would show as a row of its own (db.client.connection.wait_ms).",
  );
  out.push(
    'ORDER_SYNC_WINDOW_MS (3 s) bounds what a client waits: when the saga is slower than that under saturation the gateway answers 202 and the saga finishes in the background; the 80 %-of-peak row (orders evenly paced, after a warm-up at that rate) shows the latency a client sees below saturation.',
  );
  return out;
}

const lag = [
  "The relay (packages/kit/src/messaging/outbox-relay.ts) is handed each event by the commit that wrote it, in process (no NOTIFY, no table read), and once the committer's own code has gone on (its answer or next call first) it publishes the batch with all publisher confirms awaited together and marks it with one `UPDATE … WHERE seq = ANY($1)`. The table is read only by the sweep, for rows a crash or a failed publish left unsent.",
  "The consumer's inbox (packages/kit/src/messaging/inbox.ts) is BEGIN, one INSERT for every delivery that arrived during its previous transaction, the effects, COMMIT. At rest each round trip is well under a millisecond on a quiet machine: a p99 over 50 ms here comes from scheduling delays when the 2 cores are saturated by other work (see the other-work figures at the top), which a rerun on a quiet machine separates from the code's own cost.",
  "RabbitMQ: the consumer prefetch (32) and publisher confirms are right for safety; a lower `backoffMs` does not matter at rest. NATS JetStream: the pull consumer's fetch interval bounds the lag from below; an ordered push consumer or a shorter `expires` lowers it.",
];

const startup = [
  'Resident memory: the five services share one PGlite instance, a schema each (packages/kit/src/database/pglite.ts), a full PostgreSQL in WASM whose linear memory never shrinks, with 8 MB of shared buffers (pglite-start.ts); the rest is Node, the WASM code, and the span and log stores. Five instances, one per service, held about 150 MiB more at ready.',
  "Warm start-up is the JavaScript thread's work plus V8's background compilers on the other core (a CPU profile of `bazaar up` cut into slices, and each thread's CPU time from /proc, 2026-12-06): module loading (Fastify, OpenTelemetry, ajv, undici, grpc-js and the services; the compile cache spares parsing and type-stripping), one PGlite start (about 0.3 s, overlapping the module loading), six Fastify instances' validators and serializers, and garbage collection. Done: one PGlite for the five services (a start of about 0.25 s each before), the WASM compiled once, the bundle handed over as bytes, 8 MB of shared buffers and 5 connection slots, a WASM tiering budget 15× V8's so PostgreSQL's start-up code is not recompiled by TurboFan (about 1 s of background CPU on 2 cores), payments started beside users, inventory and shipping, the admin's password hashed while the database starts.",
  'Cold start-up adds a copy of the empty cluster (40 MB, copied on libuv threads from the one kept unpacked in node_modules/.cache/bazaar) and the migrations.',
];

export function opportunitiesFor(result: ScenarioResult): string[] | undefined {
  if (!result.budgets.some((b) => b.met === false)) return undefined;
  if (result.id === 'gateway') return gateway(result);
  if (result.id === 'orders') return orders(result);
  return { lag, startup }[result.id as 'lag'];
}
