// The reference Node proxy: Fastify with @fastify/http-proxy (undici keep-alive pools underneath), as its README
// shows it, forwarding everything to the upstream.
import proxy from '@fastify/http-proxy';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
await app.register(proxy, { upstream: process.env.UPSTREAM_URL!, prefix: '/', http2: false });
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(`@fastify/http-proxy on ${process.env.PORT}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
