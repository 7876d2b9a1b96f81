// Small real upstreams for the gateway's tests: they echo what reached them, serve a JWKS and an event stream.
import { createServer } from 'node:net';
import Fastify from 'fastify';
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
    if (req.headers['x-internal-key'] !== options.internalKey) return reply.code(401).send({ code: 'UNAUTHENTICATED' });
  });
  app.get('/readyz', async () => ({ status: 'ready' }));
  app.get(
    '/openapi.json',
    async () => options.openapi ?? { openapi: '3.1.0', info: { title: name, version: '1' }, paths: {} },
  );
  if (options.jwks) app.get('/.well-known/jwks.json', async () => options.jwks);
  app.get('/api/orders/:id/events', (req, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
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
