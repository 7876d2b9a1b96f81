import { createServer as netServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { getChannelzHandlers } from '@grpc/grpc-js';
import { context, trace } from '@opentelemetry/api';
import { CircuitState } from 'cockatiel';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../config/index.ts';
import { AppError, notFound } from '../server/errors.ts';
import { createLogger } from '../telemetry/logger.ts';
import { SpanStore } from '../telemetry/span-store.ts';
import { createTracing, currentTraceIds, withRequestId } from '../telemetry/tracing.ts';
import { channelTarget, createGrpcClient, type GrpcClientOptions } from './client.ts';
import { currentDeadline, runWithDeadline } from './deadline.ts';
import { Code, GrpcError } from './errors.ts';
import { loadService } from './proto.ts';
import { type GrpcServer, startGrpcServer } from './server.ts';

const service = loadService(new URL('./testdata/echo.proto', import.meta.url), 'bazaar.test.v1.Echo');
const spans = new SpanStore();
const { tracer } = await createTracing('echo', spans);
const log = createLogger('echo', { level: 'silent' });
const KEY = 'test-key';
let calls = 0;
let server: GrpcServer;
// The texts of calls whose handler was told, while it worked, that the caller had gone.
const abandoned: string[] = [];

type Reply = { text: string; traceId: string; requestId: string; deadlineMs: number };

beforeAll(async () => {
  const Say = async (req: { text: string; delayMs: number }, _: unknown, cancelled: AbortSignal) => {
    calls++;
    if (req.delayMs) await sleep(req.delayMs, undefined, { signal: cancelled }).catch(() => abandoned.push(req.text));
    if (req.text === 'refuse') throw new AppError('OUT_OF_STOCK', 409, 'Not enough.', { shortages: [{ sku: 'A' }] });
    if (req.text === 'missing') throw notFound();
    if (req.text === 'boom') throw new Error('secret detail');
    const ids = currentTraceIds();
    return {
      text: req.text,
      traceId: ids.traceId ?? '',
      requestId: ids.requestId ?? '',
      deadlineMs: currentDeadline() ?? 0,
    };
  };
  server = await startGrpcServer({ service, handlers: { Say }, tracer, log, internalKey: KEY }, 0);
});
afterAll(() => server.stop());

const client = (extra: Partial<GrpcClientOptions> = {}) =>
  createGrpcClient({
    upstream: 'echo',
    service,
    target: server.url,
    tracer,
    internalKey: KEY,
    timeoutMs: 2000,
    idempotent: ['Say'],
    ...extra,
  });

async function deadPort(): Promise<string> {
  const s = netServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return `127.0.0.1:${port}`;
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: GrpcError) => err,
  );

describe('grpc server and client', () => {
  it("answers a call, and the server span continues the caller's trace with its request id", async () => {
    const c = client();
    const parent = tracer.startSpan('caller');
    const ctx = withRequestId(trace.setSpan(context.active(), parent), 'req-42');
    const reply = await context.with(ctx, () => c.call<Reply>('Say', { text: 'salaam' }));
    parent.end();
    const traceId = parent.spanContext().traceId;
    expect(reply).toMatchObject({ text: 'salaam', traceId, requestId: 'req-42' });
    const kinds = spans.trace(traceId).map((s) => s.kind);
    expect(kinds).toEqual(expect.arrayContaining([0, 1, 2])); // internal (caller), server, client
    const serverSpan = spans.trace(traceId).find((s) => s.kind === 1)!;
    const clientSpan = spans.trace(traceId).find((s) => s.kind === 2)!;
    expect(serverSpan.parentSpanId).toBe(clientSpan.spanId);
    c.close();
  });

  it('refuses a call without the internal key with UNAUTHENTICATED', async () => {
    for (const internalKey of [undefined, 'wrong-key']) {
      const c = client({ internalKey });
      const err = await failure(c.call('Say', { text: 'hi' }));
      expect(err).toBeInstanceOf(GrpcError);
      expect(err.grpcCode).toBe(Code.UNAUTHENTICATED);
      expect(err.code).toBe('UNAUTHENTICATED');
      c.close();
    }
  });

  it('maps refusals to gRPC codes with the stable code and problem, and hides internal errors', async () => {
    const c = client();
    const refused = await failure(c.call('Say', { text: 'refuse' }));
    expect([refused.grpcCode, refused.status, refused.code]).toEqual([Code.FAILED_PRECONDITION, 409, 'OUT_OF_STOCK']);
    expect(refused.problem?.shortages).toEqual([{ sku: 'A' }]);
    const missing = await failure(c.call('Say', { text: 'missing' }));
    expect([missing.grpcCode, missing.status, missing.code]).toEqual([Code.NOT_FOUND, 404, 'NOT_FOUND']);
    const boom = await failure(c.call('Say', { text: 'boom' }));
    expect([boom.grpcCode, boom.code]).toEqual([Code.INTERNAL, 'INTERNAL']);
    expect(boom.message).not.toContain('secret detail');
    c.close();
  });

  it('propagates the deadline of the work it runs for, and enforces it', async () => {
    const c = client({ timeoutMs: 5000 });
    const seen = await runWithDeadline(1000, async () => ({
      reply: await c.call<Reply>('Say', { text: 'x' }),
      deadline: currentDeadline()!,
    }));
    expect(Math.abs(seen.reply.deadlineMs - seen.deadline)).toBeLessThan(100);

    // The handler would answer in 60 s: the call fails at its deadline, and the server tells the handler so.
    const late = await runWithDeadline(150, () => failure(c.call('Say', { text: 'late', delayMs: 60_000 })));
    expect(late.grpcCode).toBe(Code.DEADLINE_EXCEEDED);
    await vi.waitFor(() => expect(abandoned).toContain('late'));

    const spent = await runWithDeadline(-1, () => failure(c.call('Say', { text: 'x' })));
    expect(spent.grpcCode).toBe(Code.DEADLINE_EXCEEDED);
    // The caller's own deadline does not count against the upstream.
    expect(c.breakerState()).toBe(CircuitState.Closed);
    c.close();
  });

  it('enforces its own timeout when the work has no deadline', async () => {
    const c = client({ timeoutMs: 100 });
    expect((await failure(c.call('Say', { text: 'slow', delayMs: 500 }))).grpcCode).toBe(Code.DEADLINE_EXCEEDED);
    c.close();
  });

  it('skips a dead replica at once: every call reaches the live one, idempotent or not', async () => {
    const target = `${await deadPort()},${server.url}`;
    const before = calls;
    const c = client({ target, idempotent: [], retries: 0 });
    for (let i = 0; i < 10; i++) expect((await c.call<Reply>('Say', { text: `once ${i}` })).text).toBe(`once ${i}`);
    expect(calls - before).toBe(10);
    c.close();
  });

  it('retries an UNAVAILABLE call only when the method is idempotent', async () => {
    const target = await deadPort();
    /** How many attempts one call made: its client spans under a parent of its own. */
    const attempts = async (c: ReturnType<typeof client>) => {
      const parent = tracer.startSpan('caller');
      const err = await context.with(trace.setSpan(context.active(), parent), () =>
        failure(c.call('Say', { text: 'x' })),
      );
      parent.end();
      expect(err.grpcCode).toBe(Code.UNAVAILABLE);
      return spans.trace(parent.spanContext().traceId).filter((s) => s.kind === 2).length;
    };
    const marked = client({ target, retries: 2, backoffMs: 1 });
    const unmarked = client({ target, retries: 2, backoffMs: 1, idempotent: [] });
    expect(await attempts(marked)).toBe(1 + 2); // the first attempt and two retries
    expect(await attempts(unmarked)).toBe(1);
    marked.close();
    unmarked.close();
  });

  it('takes one IP list as one round-robin channel, and refuses a list of names it cannot balance', () => {
    expect(channelTarget('echo', '10.0.0.1:9082, 10.0.0.2:9082')).toBe('ipv4:10.0.0.1:9082,10.0.0.2:9082');
    expect(channelTarget('echo', '[::1]:9082,[::2]:9082')).toBe('ipv6:[::1]:9082,[::2]:9082');
    expect(channelTarget('echo', 'dns:///inventory:9082')).toBe('dns:///inventory:9082');
    expect(() => channelTarget('echo', 'a:9082,b:9082')).toThrow(ConfigError);
  });

  it('never retries a refusal, even of an idempotent method', async () => {
    const c = client();
    const before = calls;
    await failure(c.call('Say', { text: 'refuse' }));
    expect(calls - before).toBe(1);
    c.close();
  });

  it('opens the breaker after consecutive failures, fails fast while open, and shows it in the gauge', async () => {
    const registry = new Registry();
    const c = client({ target: await deadPort(), retries: 0, breakerThreshold: 3, halfOpenAfterMs: 60_000, registry });
    for (let i = 0; i < 3; i++) expect((await failure(c.call('Say', { text: 'x' }))).grpcCode).toBe(Code.UNAVAILABLE);
    expect(c.breakerState()).toBe(CircuitState.Open);
    const fast = await failure(c.call('Say', { text: 'x' }));
    expect([fast.grpcCode, fast.status]).toEqual([Code.UNAVAILABLE, 503]);
    expect(fast.message).toContain('circuit breaker is open');
    expect(await registry.metrics()).toContain('grpc_client_circuit_breaker_state{upstream="echo"} 2');
    c.close();
  });

  it('keeps the breaker closed when the upstream refuses: it is up and answering', async () => {
    const c = client({ breakerThreshold: 2 });
    for (let i = 0; i < 3; i++) await failure(c.call('Say', { text: 'refuse' }));
    expect(c.breakerState()).toBe(CircuitState.Closed);
    c.close();
  });

  it('keeps no channelz statistics on either side: Bazaar serves no channelz service', async () => {
    const c = client();
    await c.call('Say', { text: 'counted nowhere' });
    const handlers = getChannelzHandlers();
    // The handlers are typed for a gRPC server's calls; a unary call needs only its request here.
    type Unary<T> = (call: { request: object }, done: (err: Error | null, value: T) => void) => void;
    const ask = <T>(method: 'GetTopChannels' | 'GetServers') =>
      new Promise<T>((resolve, reject) =>
        (handlers[method] as unknown as Unary<T>)({ request: { max_results: 1000 } }, (err, value) =>
          err ? reject(err) : resolve(value),
        ),
      );
    const { channel } = await ask<{ channel: { data: { target: { target: string } } }[] }>('GetTopChannels');
    const { server: servers } = await ask<{ server: unknown[] }>('GetServers');
    expect(channel.map((ch) => ch.data.target.target)).not.toContain(server.url);
    expect(servers).toEqual([]);
    c.close();
  });
});
