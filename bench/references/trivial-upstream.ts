// The trivial upstream every gateway-hop pair forwards to: node:http, a small JSON answer to anything, plus the
// JWKS the Bazaar gateway verifies tokens with (BENCH_JWKS) and a /readyz for its readiness check.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 0);
const jwks = process.env.BENCH_JWKS ?? '{"keys":[]}';
const answer = JSON.stringify({ id: 'ord_bench', status: 'CONFIRMED', total: { amount: 450000, currency: 'PKR' } });

const server = createServer((req, res) => {
  // Bodies are drained, never read: the same work for every pair.
  req.resume();
  req.on('end', () => {
    const body = req.url === '/.well-known/jwks.json' ? jwks : req.url === '/readyz' ? '{"status":"ready"}' : answer;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  console.log(`trivial upstream on http://127.0.0.1:${address.port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
