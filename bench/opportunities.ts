// What the profiles say and what to try, per scenario, printed in RESULTS.md under a scenario whose budget is missed.
// Written from reading the profiles of bench runs and the code they point at; keep it in step with both.
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
      `Socket I/O is ${pct(io)} of self time (native \`writeLatin1String\`, \`writev\`, reads): one read and one write on each of the two connections per request, each answer's head and body in one write. Part of this share is not CPU: on 2 cores a write on loopback wakes the reader (wrk or the upstream), the scheduler often runs it at once, and the profiler's sample lands in the write. nginx pays the same syscalls: this part is the floor every proxy here shares.`,
    );
  const otel = area(p, (a) => a.startsWith('@opentelemetry/'));
  if (otel >= 3)
    out.push(
      `OpenTelemetry spans (two per request: \`startSpan\`, ids, context objects; the store keeps them as recorded, without copies or an export call) cost ${pct(otel)}. Sampling what the store keeps while still propagating \`traceparent\`, or recording the two spans without the SDK, is what is left to cut.`,
    );
  out.push(
    "Proxied requests skip Fastify (api/proxy-edge.ts takes them on the node:http server) and undici (clients/relay-connections.ts relays them on keep-alive sockets, answers parsed by http-parser-js). What remains besides the spans is node:http's request parser, IncomingMessage and ServerResponse: in a bare experiment a proxy on raw sockets spent about 30 µs less per request than one on node:http's server. The gateway's own work (cached token check, token bucket, ids, header filtering, metrics) is a few per cent; 2× @fastify/http-proxy would take replacing node:http's server on the public side, which this project does not do: that parser is what stands between the internet and the services.",
    'On 2 cores the load generator (wrk), the proxy and the upstream compete: every proxy is CPU-bound here, so req/s is requests per CPU-second available to it. The "by CPU per request" ratio in the budget line is the comparison least disturbed by other work on the machine.',
  );
  return out;
}

const orders = [
  'CPU per order is the figure to drive down: the budget (≥ 0.25× the naive chain, about 1,100 orders/s on 2 cores) allows under 2 ms of CPU per order across every process, database included; the naive chain spends about 0.3 ms, Bazaar tens of ms. Throughput on this machine is simply 2 cores ÷ CPU per order, whichever mode.',
  "The database table says how: some 50–75 PostgreSQL transactions and 90–120 row writes per order across the five databases, the orders database alone 25–40 transactions (order + saga row + outbox, a saga-state write after every step, the relay's claim-publish-mark transactions per event, inbox transactions for the events it consumes, the idempotency key). Collapsing the saga's per-step writes (persist the step together with its effect), relaying outbox rows in batches (one UPDATE per batch, see the event-lag section), and not publishing an OrderStatusChanged next to every OrderConfirmed/OrderRejected would each remove a share proportional to its transactions.",
  'Rows returned per order grow with the tables (inventory: about 850 per order in a short run on fresh data, 1,300 in a longer one): some query scans instead of using an index (a reservation or stock lookup without a matching index, or a count over a growing table). `EXPLAIN ANALYZE` of the inventory reserve/commit statements and of the saga sweep and outbox backlog queries finds it; a missing index is a migration, not a rewrite.',
  "Embedded mode: PostgreSQL compiled to WASM (PGlite) is about half of all CPU, and it runs on the one JavaScript thread, shared by the five services' databases, the gateway and every HTTP hop. The saga writes its state after every step (order PENDING + saga row + outbox, reservation, authorisation, commit/capture, CONFIRMED + outbox), and each write is its own transaction: fewer, larger transactions per order (e.g. persisting the step together with the next step's effect, one transaction per service call) cut PGlite time almost proportionally.",
  'Cluster mode: each order crosses the gateway, an orders replica, an inventory replica (reserve and commit), payments (authorise, the sandbox provider over HTTP with request signing, capture) and back, each a Fastify route with JSON schema validation (ajv), a traced undici call and SQL round trips to PostgreSQL; the busy-time line above says which process saturates first. On 2 cores nine Node processes plus PostgreSQL and RabbitMQ share two CPUs, so the sum of CPU per order (the table) is the number to drive down: the naive chain spends about 0.3 ms per order, Bazaar tens of ms.',
  "Per-request costs visible in every service profile: socket writes (`writev`, `writeBuffer`), OpenTelemetry spans (a SQL span per transaction, and per statement outside one, through the kit's traced database; a span per call) kept in the span store, pino lines kept in the log store at debug level whatever LOG_LEVEL says, ajv response serialisation; and, in the services, SQL (pg-protocol) round trips. Moving the saga's inventory and payment calls to gRPC (the proto/ contracts) removes JSON schema work but, per the internal-hop table, grpc-js costs more CPU per call than undici + Fastify here: measure before switching.",
  'ORDER_SYNC_WINDOW_MS (3 s) bounds what a client waits: when the saga is slower than that under saturation the gateway answers 202 and the saga finishes in the background; the 80 %-of-peak row (orders evenly paced, after a warm-up at that rate) shows the latency a client sees below saturation.',
];

const lag = [
  "The relay (packages/kit/src/messaging/outbox.ts) publishes row by row inside a transaction that holds `FOR UPDATE SKIP LOCKED`: for each row it awaits the broker's publisher confirm, then an UPDATE. Publishing the batch with all confirms awaited together and marking it with one `UPDATE … WHERE seq = ANY($1)` removes a round trip per event and shortens the lock.",
  "The relay is woken by NOTIFY on a separate LISTEN connection, then opens a transaction (BEGIN, SELECT, publish, UPDATE, COMMIT: five round trips before the broker even has the event); the consumer's inbox is another four (BEGIN, INSERT inbox, effect, COMMIT). At rest each round trip is well under a millisecond on a quiet machine: a p99 over 50 ms here comes from scheduling delays when the 2 cores are saturated by other work (see the load average), which a rerun on a quiet machine separates from the code's own cost.",
  "RabbitMQ: the consumer prefetch (32) and publisher confirms are right for safety; a lower `backoffMs` does not matter at rest. NATS JetStream: the pull consumer's fetch interval bounds the lag from below; an ordered push consumer or a shorter `expires` lowers it.",
];

const startup = [
  'Resident memory: each of the five services opens its own PGlite instance, a full PostgreSQL in WASM whose linear memory never shrinks; with 16 MB of shared buffers each (packages/kit/src/database/db.ts) an instance adds some 35–60 MB, and the rest is Node, the WASM code compiled once, and the span and log stores. One PGlite instance with a schema per service would save the per-instance share.',
  "Warm start-up: opening five on-disk PGlite directories (each replays its WAL and loads the WASM module), importing Fastify, OpenTelemetry, ajv and every service module (Node's module loading is a large part of a fresh process), then users/inventory/shipping in parallel but payments, orders and the gateway one after the other. Compiling the WASM module once and sharing it between instances, and starting payments alongside the first three, shorten it.",
];

export function opportunitiesFor(result: ScenarioResult): string[] | undefined {
  if (!result.budgets.some((b) => b.met === false)) return undefined;
  if (result.id === 'gateway') return gateway(result);
  return { orders, lag, startup }[result.id as 'orders'];
}
