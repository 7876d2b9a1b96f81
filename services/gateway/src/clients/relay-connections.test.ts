import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type RelayConnections, type RelayRequest, relayConnections } from './relay-connections.ts';

type Heard = { status: number; headers: IncomingHttpHeaders; body: string; chunks: number };

const servers: { close(): void }[] = [];
const pools: RelayConnections[] = [];
afterEach(() => {
  for (const p of pools.splice(0)) p.close();
  for (const s of servers.splice(0)) s.close();
});

/** httpServer: a real node:http server, counting the connections it accepts. */
async function httpServer(handler: Parameters<typeof createHttpServer>[1]) {
  const server: Server = createHttpServer(handler);
  const stats = { connections: 0 };
  server.on('connection', () => stats.connections++);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  servers.push({ close: () => server.close() && server.closeAllConnections() });
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stats, server };
}

/** rawServer: a TCP server that writes whatever the test says, for answers node:http would never send. */
async function rawServer(onRequest: (socket: Socket, head: string) => void) {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    let seen = '';
    socket.on('data', (d) => {
      seen += d.toString('latin1');
      const end = seen.indexOf('\r\n\r\n');
      if (end !== -1) {
        const head = seen.slice(0, end);
        seen = seen.slice(end + 4);
        onRequest(socket, head);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  servers.push({
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** trickle writes an answer `step` bytes at a time, a millisecond apart. */
async function trickle(socket: Socket, answer: string, step: number): Promise<void> {
  for (let i = 0; i < answer.length; i += step) {
    socket.write(answer.slice(i, i + step));
    await new Promise((r) => setTimeout(r, 1));
  }
}

function pool(origin: string, connections = 4): RelayConnections {
  const p = relayConnections(origin, { connections, connectTimeoutMs: 1_000 });
  pools.push(p);
  return p;
}

const get = (path = '/', extra: Partial<RelayRequest> = {}): RelayRequest => ({
  method: 'GET',
  path,
  headers: {},
  body: null,
  headersTimeoutMs: 2_000,
  bodyTimeoutMs: 2_000,
  ...extra,
});

/** relay sends one request and gathers what the handler hears: the answer, or the error's code. */
function relay(p: RelayConnections, request: RelayRequest, onStart?: (abort: (e: Error) => void) => void) {
  return new Promise<Heard>((resolve, reject) => {
    const heard: Heard = { status: 0, headers: {}, body: '', chunks: 0 };
    p.dispatch(request, {
      onStart: (control) => onStart?.((e) => control.abort(e)),
      onHeaders(status, headers) {
        heard.status = status;
        heard.headers = headers;
      },
      onData(chunk) {
        heard.body += chunk.toString();
        heard.chunks++;
      },
      onEnd: () => resolve(heard),
      onError: (err) => reject(err),
    });
  });
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'answered',
    (err: { code: string }) => err.code,
  );

describe('relaying an answer', () => {
  it('passes status, headers and body on, repeated headers as node joins them, and reuses the connection', async () => {
    const server = await httpServer((req, res) => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.setHeader('x-seen', `${req.method} ${req.url} ${req.headers['x-caller']}`);
      res.end('hello');
    });
    const p = pool(server.origin);
    for (let i = 0; i < 3; i++) {
      const heard = await relay(p, get(`/things/${i}?q=1`, { headers: { 'x-caller': 'u-1' } }));
      expect(heard.status).toBe(200);
      expect(heard.body).toBe('hello');
      expect(heard.headers['set-cookie']).toEqual(['a=1', 'b=2']);
      expect(heard.headers['x-seen']).toBe(`GET /things/${i}?q=1 u-1`);
    }
    expect(server.stats.connections).toBe(1);
  });

  it('streams a chunked answer piece by piece as it arrives', async () => {
    const server = await httpServer((_req, res) => {
      res.write('one,');
      setTimeout(() => res.end('two'), 30);
    });
    const heard = await relay(pool(server.origin), get());
    expect(heard.body).toBe('one,two');
    expect(heard.chunks).toBeGreaterThanOrEqual(2);
    expect(heard.headers['transfer-encoding']).toBe('chunked');
  });

  it('reads no body after HEAD or 204 and keeps the connection for the next request', async () => {
    const server = await httpServer((req, res) => {
      if (req.url === '/empty') res.writeHead(204).end();
      else res.writeHead(200, { 'content-length': '5' }).end(req.method === 'HEAD' ? undefined : 'hello');
    });
    const p = pool(server.origin, 1);
    expect((await relay(p, get('/', { method: 'HEAD' }))).body).toBe('');
    expect((await relay(p, get('/empty'))).status).toBe(204);
    expect((await relay(p, get('/'))).body).toBe('hello');
    expect(server.stats.connections).toBe(1);
  });

  it('sends a body with its length, small or past the one-write size', async () => {
    const server = await httpServer((req, res) => {
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
      });
      req.on('end', () => res.end(`${req.headers['content-length']} ${size}`));
    });
    const p = pool(server.origin);
    const small = await relay(p, get('/', { method: 'POST', body: Buffer.from('{"a":1}') }));
    expect(small.body).toBe('7 7');
    const large = await relay(p, get('/', { method: 'POST', body: Buffer.alloc(200_000, 'x') }));
    expect(large.body).toBe('200000 200000');
    const empty = await relay(p, get('/', { method: 'POST' }));
    expect(empty.body).toBe('0 0');
  });

  it('ends an answer without a length at the close, and opens a new connection after it', async () => {
    let connections = 0;
    const origin = await rawServer((socket) => {
      connections++;
      socket.end('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end');
    });
    const p = pool(origin, 1);
    expect((await relay(p, get())).body).toBe('until the end');
    expect((await relay(p, get())).body).toBe('until the end');
    expect(connections).toBe(2);
  });

  it('reads plain answers strictly and others fully, moving between the two on one connection', async () => {
    const server = await httpServer((req, res) => {
      if (req.url === '/chunked') {
        res.write('one,');
        res.end('two');
      } else res.end(`plain ${req.url}`);
    });
    const p = pool(server.origin, 1);
    for (const path of ['/a', '/chunked', '/b', '/chunked', '/c']) {
      const heard = await relay(p, get(path));
      expect(heard.body).toBe(path === '/chunked' ? 'one,two' : `plain ${path}`);
    }
    expect(server.stats.connections).toBe(1);
  });

  it('reads a plain answer that arrives a few bytes at a time', async () => {
    const answer =
      'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-a: 1\r\nx-a: 2\r\ncontent-length: 11\r\n\r\nhello world';
    const origin = await rawServer((socket) => trickle(socket, answer, 3));
    const heard = await relay(pool(origin), get());
    expect(heard).toMatchObject({ status: 200, body: 'hello world' });
    expect(heard.headers['x-a']).toBe('1, 2');
  });

  it('hands on pieces a handler may keep, while other connections read into the same buffer', async () => {
    // Three answers, plain and chunked, trickle in at once on three connections; each handler keeps its pieces and
    // reads them only at the end, as the gateway does with a small answer.
    const answers: Record<string, string> = {
      '/plain': 'HTTP/1.1 200 OK\r\ncontent-length: 26\r\n\r\nabcdefghijklmnopqrstuvwxyz',
      '/digits': 'HTTP/1.1 200 OK\r\ncontent-length: 20\r\n\r\n01234567890123456789',
      '/chunked': 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nHELLO\r\n6\r\n WORLD\r\n0\r\n\r\n',
    };
    const origin = await rawServer((socket, head) => trickle(socket, answers[head.split(' ')[1]], 4));
    const p = pool(origin, 3);
    const kept = (path: string) =>
      new Promise<string>((resolve, reject) => {
        const pieces: Buffer[] = [];
        p.dispatch(get(path), {
          onStart() {},
          onHeaders() {},
          onData: (chunk) => pieces.push(chunk),
          onEnd: () => resolve(Buffer.concat(pieces).toString()),
          onError: reject,
        });
      });
    expect(await Promise.all([kept('/plain'), kept('/digits'), kept('/chunked')])).toEqual([
      'abcdefghijklmnopqrstuvwxyz',
      '01234567890123456789',
      'HELLO WORLD',
    ]);
  });

  it('waits for a free connection when all are busy, and never opens more than allowed', async () => {
    let open = 0;
    let most = 0;
    const server = await httpServer((_req, res) => {
      open++;
      most = Math.max(most, open);
      setTimeout(() => {
        open--;
        res.end('ok');
      }, 20);
    });
    const p = pool(server.origin, 2);
    const answers = await Promise.all(Array.from({ length: 6 }, () => relay(p, get())));
    expect(answers.map((a) => a.body)).toEqual(Array(6).fill('ok'));
    expect(most).toBe(2);
    expect(server.stats.connections).toBe(2);
  });
});

describe('failing a relay, with a code that says how far it got', () => {
  it('ECONNREFUSED when nothing listens', async () => {
    const server = await httpServer((_req, res) => res.end());
    const { origin } = server;
    servers.pop()?.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(await failureOf(relay(pool(origin), get()))).toBe('ECONNREFUSED');
  });

  it('HEADERS_TIMEOUT when the replica takes the request and never answers', async () => {
    const origin = await rawServer(() => {});
    expect(await failureOf(relay(pool(origin), get('/', { headersTimeoutMs: 100 })))).toBe('HEADERS_TIMEOUT');
  });

  it('BODY_TIMEOUT when the answer stalls midway', async () => {
    const origin = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhalf'));
    expect(await failureOf(relay(pool(origin), get('/', { bodyTimeoutMs: 100 })))).toBe('BODY_TIMEOUT');
  });

  it('SOCKET_CLOSED when the replica hangs up before or during its answer', async () => {
    const before = await rawServer((socket) => socket.end());
    expect(await failureOf(relay(pool(before), get()))).toBe('SOCKET_CLOSED');
    const during = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhalf'));
    expect(await failureOf(relay(pool(during), get()))).toBe('SOCKET_CLOSED');
  });

  it('BAD_RESPONSE when the answer is not HTTP', async () => {
    const origin = await rawServer((socket) => socket.write('SMTP ready\r\n\r\n'));
    expect(await failureOf(relay(pool(origin), get()))).toBe('BAD_RESPONSE');
  });

  it('BAD_RESPONSE when a replica sends more than its answer, as nothing else was asked of it', async () => {
    const origin = await rawServer((socket) =>
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'),
    );
    expect(await failureOf(relay(pool(origin), get()))).toBe('BAD_RESPONSE');
  });

  it('SOCKET_CLOSED when a plain answer is cut short of its length', async () => {
    const origin = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhalf'));
    expect(await failureOf(relay(pool(origin), get()))).toBe('SOCKET_CLOSED');
  });

  it('BAD_RESPONSE to the handler whose onEnd throws, rather than leaving it waiting', async () => {
    const server = await httpServer((_req, res) => res.end('ok'));
    const heard = await new Promise<string>((resolve) => {
      pool(server.origin).dispatch(get(), {
        onStart() {},
        onHeaders() {},
        onData() {},
        onEnd() {
          throw new Error('cannot write that');
        },
        onError: (err) => resolve(err.code),
      });
    });
    expect(heard).toBe('BAD_RESPONSE');
  });

  it('sends nothing when a header value would end its line early', async () => {
    let requests = 0;
    const server = await httpServer((_req, res) => {
      requests++;
      res.end();
    });
    const p = pool(server.origin);
    const injected = get('/', { headers: { 'x-user-id': 'u-1\r\nx-role: admin' } });
    expect(await failureOf(relay(p, injected))).toBe('BAD_REQUEST_HEADER');
    expect((await relay(p, get())).status).toBe(200);
    expect(requests).toBe(1);
  });

  it('ABORTED when the gateway gives up on an exchange; the next request goes out on a fresh connection', async () => {
    const server = await httpServer((req, res) => {
      if (req.url === '/slow') setTimeout(() => res.end('late'), 5_000);
      else res.end('ok');
    });
    const p = pool(server.origin, 1);
    const slow = relay(p, get('/slow'), (abort) => setTimeout(() => abort(new Error('client left')), 50));
    expect(await failureOf(slow)).toBe('ABORTED');
    expect((await relay(p, get())).body).toBe('ok');
    expect(server.stats.connections).toBe(2);
  });

  it('closes connections idle past their time even when no request comes', async () => {
    const server = await httpServer((req, res) => {
      req.socket.once('close', () => server.stats.connections--);
      res.end('ok');
    });
    const p = relayConnections(server.origin, { connections: 2, connectTimeoutMs: 1_000, idleTimeoutMs: 100 });
    pools.push(p);
    await Promise.all([relay(p, get()), relay(p, get())]);
    expect(server.stats.connections).toBe(2);
    // Half a second is the least idle time a socket gets; the sweep runs every 100 ms here.
    await new Promise((r) => setTimeout(r, 800));
    expect(server.stats.connections).toBe(0);
    expect((await relay(p, get())).body).toBe('ok');
  });

  it('opens a new connection rather than reuse one idle past the keep-alive the replica announced', async () => {
    const server = await httpServer((_req, res) => res.end('ok'));
    // `Keep-Alive: timeout=1`: the relay keeps an idle socket half a second at most (its floor), well before the
    // replica's 1.5 s and the 4 s sweep.
    server.server.keepAliveTimeout = 1_500;
    const p = pool(server.origin, 1);
    expect((await relay(p, get())).body).toBe('ok');
    expect((await relay(p, get())).body).toBe('ok');
    expect(server.stats.connections).toBe(1);
    await new Promise((r) => setTimeout(r, 700));
    expect((await relay(p, get())).body).toBe('ok');
    expect(server.stats.connections).toBe(2);
  });

  it('skips a kept-alive connection the replica has reset while it sat idle', async () => {
    const sockets: Socket[] = [];
    const server = await httpServer((req, res) => {
      sockets.push(req.socket);
      res.end('ok');
    });
    const p = pool(server.origin, 1);
    expect((await relay(p, get())).body).toBe('ok');
    for (const s of sockets) s.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 20));
    expect((await relay(p, get())).body).toBe('ok');
    expect(server.stats.connections).toBe(2);
  });
});
