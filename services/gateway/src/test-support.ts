// Small real upstreams for the gateway's tests: they echo what reached them, serve a JWKS and an event stream.
import { createServer, type Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

export type Seen = {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
};

export type FakeService = {
  name: string;
  url: string;
  seen: Seen[];
  /** The event stream: `release` sends its second event; `closed` resolves when the client has gone. */
  stream: { release(): void; closed: Promise<void> };
  close(): Promise<void>;
};

export type FakeOptions = { internalKey: string; jwks?: object; openapi?: object; port?: number };

export async function fakeService(name: string, options: FakeOptions): Promise<FakeService> {
  const app = Fastify();
  const seen: Seen[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => {
    release = r;
  });
  let streamClosed!: () => void;
  const closed = new Promise<void>((r) => {
    streamClosed = r;
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addHook('onRequest', async (req, reply) => {
    if (req.url === '/healthz') return; // as the kit's servers: liveness needs no key
    if (req.headers['x-internal-key'] !== options.internalKey) return reply.code(401).send({ code: 'UNAUTHENTICATED' });
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async () => ({ status: 'ready' }));
  app.get(
    '/openapi.json',
    async () => options.openapi ?? { openapi: '3.1.0', info: { title: name, version: '1' }, paths: {} },
  );
  if (options.jwks) app.get('/.well-known/jwks.json', async () => options.jwks);
  app.get('/api/orders/:id/events', (req, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if (req.method === 'HEAD') return void reply.raw.end();
    reply.raw.write('data: {"status":"PENDING"}\n\n');
    void released.then(() => reply.raw.write('data: {"status":"CONFIRMED"}\n\n'));
    req.raw.socket.on('close', () => streamClosed());
  });
  app.get('/api/orders/slow', async () => new Promise((r) => setTimeout(() => r({ late: true }), 2_000)));
  app.all('/*', async (req) => {
    const entry = {
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: (req.body as string | undefined) ?? '',
    };
    seen.push(entry);
    return { service: name, ...entry };
  });
  const url = await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  return { name, url, seen, stream: { release, closed }, close: () => app.close() };
}

/** closedPort answers the URL of a port nothing listens on: an upstream that is down. */
export async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

/** signingKey makes an ES256 key like the users service's, with its JWKS and a signer for test tokens. */
export async function signingKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return {
    privateKey,
    publicKey,
    publicJwk,
    jwks: { keys: [publicJwk] },
    sign: (
      claims: JWTPayload & { role?: string },
      options: { exp?: number | string; nbf?: number | string; iss?: string; aud?: string } = {},
    ) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setIssuer(options.iss ?? 'bazaar-users')
        .setAudience(options.aud ?? 'bazaar')
        .setIssuedAt()
        .setNotBefore(options.nbf ?? '0s')
        .setExpirationTime(options.exp ?? '1h')
        .sign(privateKey),
  };
}

/** How a test replica treats the requests it is sent under /api. */
export type ReplicaMode =
  /** answer 200 with its name, after `delayMs` */
  | 'answer'
  /** take the request, then reset the connection without a byte of answer, as a crashing process does */
  | 'reset'
  /** refuse as a Fastify server that is closing does: 503 with Connection: close */
  | 'closing'
  /** refuse for want of room, as a replica at its cap of open streams does: a 503 problem, the connection kept */
  | 'full';

export type TestReplica = {
  name: string;
  url: string;
  port: number;
  /** What reached /api on this replica (health checks are not counted). */
  seen: { method: string; url: string; idempotencyKey?: string }[];
  mode: ReplicaMode;
  /** Answer /healthz with 503 while true. */
  sick: boolean;
  delayMs: number;
  /** Kill it like SIGKILL: every connection reset at once, the port closed. */
  kill(): Promise<void>;
  /** Listen again on the same port, as a restarted process does. */
  revive(): Promise<void>;
  close(): Promise<void>;
};

/** testReplica is one replica of an upstream service as a real Fastify server, controllable from the test. */
export async function testReplica(name: string, options: { port?: number } = {}): Promise<TestReplica> {
  let app: FastifyInstance | undefined;
  const sockets = new Set<Socket>();
  const replica: TestReplica = {
    name,
    url: '',
    port: options.port ?? 0,
    seen: [],
    mode: 'answer',
    sick: false,
    delayMs: 0,
    async kill() {
      if (!app) return;
      const closing = app;
      app = undefined;
      for (const socket of sockets) socket.resetAndDestroy();
      sockets.clear();
      await closing.close();
    },
    async revive() {
      if (app) return;
      app = build();
      await app.listen({ port: replica.port, host: '127.0.0.1' });
    },
    close: () => replica.kill(),
  };

  function build(): FastifyInstance {
    const server = Fastify({ forceCloseConnections: true });
    server.server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    server.removeAllContentTypeParsers();
    server.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    server.get('/healthz', async (_req, reply) =>
      replica.sick ? reply.code(503).send({ status: 'sick' }) : { status: 'ok' },
    );
    server.all('/api/*', async (req, reply) => {
      const key = req.headers['idempotency-key'];
      replica.seen.push({
        method: req.method,
        url: req.url,
        idempotencyKey: typeof key === 'string' ? key : undefined,
      });
      if (replica.mode === 'reset') {
        req.raw.socket.resetAndDestroy();
        return reply.hijack();
      }
      if (replica.mode === 'closing')
        return reply
          .code(503)
          .header('connection', 'close')
          .type('application/json')
          .send('{"error":"Service Unavailable","message":"Service Unavailable","statusCode":503}');
      if (replica.mode === 'full')
        return reply
          .code(503)
          .header('retry-after', '10')
          .type('application/problem+json')
          .send({ status: 503, code: 'SERVICE_UNAVAILABLE', detail: `${name} is full`, replica: name });
      if (replica.delayMs > 0) await new Promise((r) => setTimeout(r, replica.delayMs));
      return { replica: name, method: req.method, url: req.url };
    });
    return server;
  }

  app = build();
  replica.url = await app.listen({ port: replica.port, host: '127.0.0.1' });
  replica.port = Number(new URL(replica.url).port);
  return replica;
}
