// What the profiles say and what to try, per scenario, printed in RESULTS.md under a scenario whose budget is missed.
// Written from reading the profiles of bench runs and the code they point at; keep it in step with both.
import type { ScenarioResult } from './lib/types.ts';

const gateway = [
  "`SpanStore.add` (packages/kit/src/telemetry/span-store.ts) is the largest JavaScript frame, about 17 % of the gateway's self time: once the store holds its 20,000 spans, every new span does `splice(0, 1)` on the full array, an O(capacity) move, twice per proxied request (SERVER and CLIENT span). A ring buffer (fixed array and a head index), or trimming in batches (splice only when 25 % over capacity), makes it O(1); the console reads it rarely. This alone should give the gateway roughly 15–25 % more requests per second.",
  'Socket writes are about 30 % of self time (native `writev`, `writeLatin1String`): the answer leaves as a header string plus body chunks. For answers that arrive in one chunk with a known length (almost all API answers), writing the head and body together in one `res.end(buffer)` saves a write and a string conversion per request.',
  'OpenTelemetry span bookkeeping (`startSpan`, context objects, attribute copies, the SimpleSpanProcessor) is another 5–8 %. Recording the two spans into the store from plain objects (or sampling what the store keeps while still propagating `traceparent`) would cut it.',
  "undici `dispatch` and its llhttp parser cost what @fastify/http-proxy pays too; they are not where the gap is. The Bazaar gateway does more per request by design (ES256 verification cached per token, a token bucket, ids, two spans, header filtering): reaching 2× @fastify/http-proxy means the per-request work above must fall well below the proxy library's, e.g. with a hand-written `node:http` edge (no Fastify routing and hooks) on the hot path.",
  'On 2 cores the load generator (wrk), the proxy and the upstream compete: every proxy is CPU-bound here, so "req/s" is "requests per CPU-second available to it". The ratios hold, the absolute numbers do not carry to a bigger machine.',
];

const orders = [
  "Embedded mode: PostgreSQL compiled to WASM (PGlite) is about half of all CPU, and it runs on the one JavaScript thread, shared by the five services' databases, the gateway and every HTTP hop. The saga writes its state after every step (order PENDING + saga row + outbox, reservation, authorisation, commit/capture, CONFIRMED + outbox), and each write is its own transaction: fewer, larger transactions per order (e.g. persisting the step together with the next step's effect, one transaction per service call) cut PGlite time almost proportionally.",
  'Cluster mode: each order crosses the gateway, an orders replica, an inventory replica (reserve and commit), payments (authorise, the sandbox provider over HTTP with request signing, capture) and back, each a Fastify route with JSON schema validation (ajv), a traced undici call and SQL round trips to PostgreSQL; the busy-time line above says which process saturates first. On 2 cores nine Node processes plus PostgreSQL and RabbitMQ share two CPUs, so the sum of CPU per order (the table) is the number to drive down: the naive chain spends about 0.3 ms per order, Bazaar tens of ms.',
  "Per-request costs visible in every service profile: socket writes (`writev`, `writeBuffer`), OpenTelemetry spans into the span store (the same O(capacity) `splice` as in the gateway, see the gateway section), pino child loggers, ajv response serialisation; and, in the services, SQL (pg-protocol) round trips. Moving the saga's inventory and payment calls to gRPC (the proto/ contracts) removes JSON schema work but, per the internal-hop table, grpc-js costs more CPU per call than undici + Fastify here: measure before switching.",
  'ORDER_SYNC_WINDOW_MS (3 s) bounds what a client waits: when the saga is slower than that under saturation the gateway answers 202 and the saga finishes in the background; the 80 %-of-peak row shows the latency a client sees below saturation.',
];

const lag = [
  "The relay (packages/kit/src/messaging/outbox.ts) publishes row by row inside a transaction that holds `FOR UPDATE SKIP LOCKED`: for each row it awaits the broker's publisher confirm, then an UPDATE. Publishing the batch with all confirms awaited together and marking it with one `UPDATE … WHERE seq = ANY($1)` removes a round trip per event and shortens the lock.",
  "The relay is woken by NOTIFY on a separate LISTEN connection, then opens a transaction (BEGIN, SELECT, publish, UPDATE, COMMIT: five round trips before the broker even has the event); the consumer's inbox is another four (BEGIN, INSERT inbox, effect, COMMIT). At rest each round trip is well under a millisecond on a quiet machine: a p99 over 50 ms here comes from scheduling delays when the 2 cores are saturated by other work (see the load average), which a rerun on a quiet machine separates from the code's own cost.",
  "RabbitMQ: the consumer prefetch (32) and publisher confirms are right for safety; a lower `backoffMs` does not matter at rest. NATS JetStream: the pull consumer's fetch interval bounds the lag from below; an ordered push consumer or a shorter `expires` lowers it.",
];

const startup = [
  'Resident memory: each of the five services opens its own PGlite instance, and each instance is a full PostgreSQL in WASM with its own linear memory (shared buffers, catalogue caches, WAL buffers), about 150–250 MB apiece. Lowering `shared_buffers` and `wal_buffers` in PGlite\'s start-up options, or one PGlite instance with a schema per service (the architecture allows "one database or schema per service" in embedded mode), would bring the total well under 1 GB.',
  "Warm start-up: opening five on-disk PGlite directories (each replays its WAL and loads the WASM module), importing Fastify, OpenTelemetry, ajv and every service module (Node's module loading is a large part of a fresh process), then users/inventory/shipping in parallel but payments, orders and the gateway one after the other. Compiling the WASM module once and sharing it between instances, and starting payments alongside the first three, shorten it.",
];

export function opportunitiesFor(result: ScenarioResult): string[] | undefined {
  if (!result.budgets.some((b) => b.met === false)) return undefined;
  return { gateway, orders, lag, startup }[result.id as 'gateway'];
}
