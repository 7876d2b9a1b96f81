import { connect, type Socket } from 'node:net';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, start } from '../main.ts';
import { closedPort, type FakeService, fakeService, signingKey } from '../test-support.ts';

const internalKey = 'test-key';
let users: FakeService;
let inventory: FakeService;
let orders: FakeService;
let gateway: Gateway;
let token: string;
let port: number;

beforeAll(async () => {
  const key = await signingKey('k1');
  users = await fakeService('users', { internalKey, jwks: key.jwks });
  inventory = await fakeService('inventory', { internalKey });
  orders = await fakeService('orders', { internalKey });
  const down = await closedPort();
  gateway = await start(
    { internalKey, logLevel: 'silent' },
    {
      port: 0,
      usersUrl: users.url,
      inventoryUrl: inventory.url,
      ordersUrl: orders.url,
      paymentsUrl: down,
      shippingUrl: down,
      rateLimitRps: 0,
    },
  );
  port = Number(new URL(gateway.url).port);
  token = await key.sign({ sub: 'u-1', role: 'customer' });
});

afterAll(async () => {
  await gateway?.stop();
  for (const s of [users, inventory, orders]) await s?.close();
});

type Answer = { status: number; headers: Record<string, string>; body: string };

/** A raw connection to the gateway: bytes go out exactly as written; answers are read off as they come. */
async function rawConnection() {
  const socket: Socket = connect({ port, host: '127.0.0.1' });
  await new Promise<void>((done) => socket.once('connect', done));
  let received = Buffer.alloc(0);
  let closed = false;
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  socket.on('data', (d: Buffer) => {
    received = Buffer.concat([received, d]);
    wake();
  });
  socket.on('close', () => {
    closed = true;
    wake();
  });
  socket.on('error', () => {});
  /** answers waits for `n` whole answers (content-length or chunked) and takes them off what was received. */
  async function answers(n: number): Promise<Answer[]> {
    for (;;) {
      const read = readAnswers(received, n);
      if (read) {
        received = received.subarray(read.used);
        return read.answers;
      }
      if (closed) throw new Error(`the connection closed after ${received.length} bytes: ${received.toString()}`);
      await new Promise<void>((r) => waiters.push(r));
    }
  }
  /** head waits for one answer's head and takes it alone (an answer to HEAD has no body). */
  async function head(): Promise<string> {
    for (;;) {
      const end = received.indexOf('\r\n\r\n');
      if (end !== -1) {
        const text = received.toString('latin1', 0, end + 4);
        received = received.subarray(end + 4);
        return text;
      }
      if (closed) throw new Error('the connection closed before a head');
      await new Promise<void>((r) => waiters.push(r));
    }
  }
  /** text waits until what was received holds `marker`, and takes all of it. */
  async function text(marker: string): Promise<string> {
    while (!received.includes(marker)) {
      if (closed) throw new Error(`the connection closed before ${marker}`);
      await new Promise<void>((r) => waiters.push(r));
    }
    const all = received.toString();
    received = Buffer.alloc(0);
    return all;
  }
  return {
    socket,
    send: (text: string) => socket.write(text, 'latin1'),
    answers,
    head,
    text,
    closed: () => new Promise<void>((r) => (closed ? r() : socket.once('close', () => r()))),
  };
}

function readAnswers(bytes: Buffer, n: number): { answers: Answer[]; used: number } | undefined {
  const answers: Answer[] = [];
  let at = 0;
  while (answers.length < n) {
    const end = bytes.indexOf('\r\n\r\n', at);
    if (end === -1) return undefined;
    const [statusLine, ...lines] = bytes.toString('latin1', at, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    let pos = end + 4;
    let body = '';
    if (headers['transfer-encoding'] === 'chunked') {
      for (;;) {
        const lineEnd = bytes.indexOf('\r\n', pos);
        if (lineEnd === -1) return undefined;
        const size = Number.parseInt(bytes.toString('latin1', pos, lineEnd), 16);
        if (bytes.length < lineEnd + 2 + size + 2) return undefined;
        body += bytes.toString('utf8', lineEnd + 2, lineEnd + 2 + size);
        pos = lineEnd + 2 + size + 2;
        if (size === 0) break;
      }
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (bytes.length < pos + length) return undefined;
      body = bytes.toString('utf8', pos, pos + length);
      pos += length;
    }
    answers.push({ status: Number(statusLine.split(' ')[1]), headers, body });
    at = pos;
  }
  return { answers, used: at };
}

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: shop\r\n${extra}\r\n`;
const post = (path: string, body: string, extra = '') =>
  `POST ${path} HTTP/1.1\r\nHost: shop\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
const echoed = (a: Answer) => JSON.parse(a.body) as { service: string; method: string; url: string; body: string };

describe('the fast lane', () => {
  it('serves one request after another on a keep-alive connection, each answer framed and keeping it open', async () => {
    const c = await rawConnection();
    for (const sku of ['a', 'b', 'c']) {
      c.send(get(`/api/products/${sku}`));
      const [answer] = await c.answers(1);
      expect(answer.status).toBe(200);
      expect(echoed(answer)).toMatchObject({ service: 'inventory', url: `/api/products/${sku}` });
      expect(answer.headers.connection).toBe('keep-alive');
      expect(answer.headers['x-request-id']).toBeTruthy();
      expect(answer.headers.date).toBeTruthy();
    }
    c.socket.destroy();
  });

  it('answers pipelined requests in the order they were sent', async () => {
    const c = await rawConnection();
    c.send(get('/api/products/1') + post('/api/users', '{"n":2}') + get('/api/products/3'));
    const answers = await c.answers(3);
    expect(answers.map((a) => echoed(a).url)).toEqual(['/api/products/1', '/api/users', '/api/products/3']);
    expect(echoed(answers[1]).body).toBe('{"n":2}');
    c.socket.destroy();
  });

  it('reads a head and a body that arrive a few bytes at a time', async () => {
    const c = await rawConnection();
    const text = post('/api/users', '{"name":"Ayesha","city":"Lahore"}');
    for (let i = 0; i < text.length; i += 7) {
      c.send(text.slice(i, i + 7));
      await new Promise((r) => setTimeout(r, 1));
    }
    const [answer] = await c.answers(1);
    expect(echoed(answer)).toMatchObject({ method: 'POST', body: '{"name":"Ayesha","city":"Lahore"}' });
    c.socket.destroy();
  });

  it('passes identity on: a bearer token is checked and the service hears the caller', async () => {
    const c = await rawConnection();
    c.send(get('/api/orders/ord_1', `authorization: Bearer ${token}\r\n`) + get('/api/orders/ord_2'));
    const [known, anonymous] = await c.answers(2);
    expect(known.status).toBe(200);
    expect(JSON.parse(known.body).headers['x-user-id']).toBe('u-1');
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body).code).toBe('UNAUTHENTICATED');
    c.socket.destroy();
  });

  it('drops the body of a request answered before it was read, and reads the next request after it', async () => {
    const c = await rawConnection();
    c.send(post('/api/orders', '{"items":[{"sku":"x","quantity":1}]}') + get('/api/products/after'));
    const [refused, next] = await c.answers(2);
    expect(refused.status).toBe(401);
    expect(echoed(next).url).toBe('/api/products/after');
    c.socket.destroy();
  });

  it('refuses a body past the limit with 413 and ends the connection rather than read the rest of it', async () => {
    const c = await rawConnection();
    c.send(`POST /api/users HTTP/1.1\r\nHost: shop\r\ncontent-length: 10000000\r\n\r\n${'x'.repeat(200_000)}`);
    const [answer] = await c.answers(1);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).code).toBe('PAYLOAD_TOO_LARGE');
    expect(answer.headers.connection).toBe('close');
    await c.closed();
  });

  it('answers 408 REQUEST_TIMEOUT and ends the connection when a body stalls past requestTimeout, as node:http does', async () => {
    const server = gateway.app.server;
    const limit = server.requestTimeout;
    server.requestTimeout = 300;
    try {
      const before = orders.seen.length;
      const c = await rawConnection();
      c.send(post('/api/orders', '{"items":[]}', `authorization: Bearer ${token}\r\n`).slice(0, -6));
      const [answer] = await c.answers(1);
      expect([answer.status, JSON.parse(answer.body).code]).toEqual([408, 'REQUEST_TIMEOUT']);
      await c.closed();
      expect(orders.seen.length).toBe(before);
    } finally {
      server.requestTimeout = limit;
    }
  });

  it('hands the connection to node:http at the first request that is not a proxied call, even mid-connection', async () => {
    const c = await rawConnection();
    c.send(get('/api/products/before'));
    expect(echoed((await c.answers(1))[0]).url).toBe('/api/products/before');
    c.send(get('/healthz') + get('/api/products/after'));
    const [health, after] = await c.answers(2);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body).status).toBe('ok');
    expect(echoed(after).url).toBe('/api/products/after');
    c.socket.destroy();
  });

  it('leaves what it does not read strictly to node:http: a chunked body still reaches the service', async () => {
    const c = await rawConnection();
    c.send(
      'POST /api/users HTTP/1.1\r\nHost: shop\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n' +
        '5\r\n{"a":\r\n2\r\n1}\r\n0\r\n\r\n',
    );
    const [answer] = await c.answers(1);
    expect(echoed(answer)).toMatchObject({ service: 'users', body: '{"a":1}' });
    c.socket.destroy();
  });

  it('never lets a request carry two readings: Content-Length with Transfer-Encoding is refused by node:http', async () => {
    const c = await rawConnection();
    c.send(
      'POST /api/users HTTP/1.1\r\nHost: shop\r\ncontent-length: 4\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\nGET /api/products/smuggled HTTP/1.1\r\nHost: shop\r\n\r\n',
    );
    const [answer] = await c.answers(1);
    expect(answer.status).toBe(400);
    await c.closed();
    expect(inventory.seen.some((s) => s.url === '/api/products/smuggled')).toBe(false);
  });

  it('ends the connection after the answer when the client asks it to', async () => {
    const c = await rawConnection();
    c.send(get('/api/products/last', 'connection: close\r\n'));
    const [answer] = await c.answers(1);
    expect(answer.headers.connection).toBe('close');
    await c.closed();
  });

  it('answers HEAD with the head alone, and the next answer follows it directly', async () => {
    const c = await rawConnection();
    c.send('HEAD /api/products/h HTTP/1.1\r\nHost: shop\r\n\r\n');
    const head = await c.head();
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toMatch(/\r\ncontent-length: \d+\r\n/);
    c.send(get('/api/products/after-head'));
    expect(echoed((await c.answers(1))[0]).url).toBe('/api/products/after-head');
    c.socket.destroy();
  });

  it('streams an event stream as it comes, each piece a chunk, and stops the upstream when the client leaves', async () => {
    const c = await rawConnection();
    c.send(get('/api/orders/ord_1/events', `authorization: Bearer ${token}\r\n`));
    const head = await c.head();
    expect(head).toMatch(/\r\ncontent-type: text\/event-stream\r\n/);
    expect(head).toMatch(/\r\ntransfer-encoding: chunked\r\n/);
    expect(await c.text('PENDING')).toMatch(/^1c\r\ndata: \{"status":"PENDING"\}\n\n\r\n$/);
    orders.stream.release();
    expect(await c.text('CONFIRMED')).toContain('data: {"status":"CONFIRMED"}');
    c.socket.destroy();
    await orders.stream.closed;
  });

  it('many requests on one undici connection, bodies of every size, come back whole and in order', async () => {
    const client = new Client(gateway.url, { pipelining: 4 });
    const sizes = [0, 1, 1_000, 30_000, 60_000];
    const answers = await Promise.all(
      sizes.map((size) =>
        client
          .request({
            path: '/api/users',
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ pad: 'x'.repeat(size) }),
          })
          .then(async (res) => ({ status: res.statusCode, body: (await res.body.json()) as { body: string } })),
      ),
    );
    for (const [i, size] of sizes.entries()) {
      expect(answers[i].status).toBe(200);
      expect(JSON.parse(answers[i].body.body).pad.length).toBe(size);
    }
    await client.close();
  });
});

describe('when the gateway stops', () => {
  it('closes idle keep-alive connections at once instead of waiting out their timeout', async () => {
    const own = await start(
      { internalKey, logLevel: 'silent' },
      {
        port: 0,
        usersUrl: users.url,
        inventoryUrl: inventory.url,
        ordersUrl: orders.url,
        paymentsUrl: users.url,
        shippingUrl: users.url,
        rateLimitRps: 0,
      },
    );
    const socket = connect({ port: Number(new URL(own.url).port), host: '127.0.0.1' });
    socket.on('error', () => {});
    socket.write(get('/api/products/one'));
    await new Promise((r) => socket.once('data', r));
    const closed = new Promise((r) => socket.once('close', r));
    const started = performance.now();
    await own.stop();
    await closed;
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
