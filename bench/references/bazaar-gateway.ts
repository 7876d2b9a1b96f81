// The Bazaar gateway as the gateway-hop pair runs it: the real @bazaar/gateway with every upstream pointed at the
// trivial upstream, and everything on that a request pays for in production: JWT verification (ES256, against
// the upstream's JWKS), rate limiting (a limit so high it never refuses, but every request spends a token) and
// tracing (a SERVER span per request, its traceparent passed on, kept in the span store as in embedded mode).
import { start } from '@bazaar/gateway';
import { SpanStore } from '@bazaar/kit/telemetry';

const upstream = process.env.UPSTREAM_URL!;
const gateway = await start(
  { internalKey: 'bench-internal-key', spanStore: new SpanStore(), logLevel: 'warn' },
  {
    port: Number(process.env.PORT ?? 0),
    host: '127.0.0.1',
    usersUrl: upstream,
    inventoryUrl: upstream,
    ordersUrl: upstream,
    paymentsUrl: upstream,
    shippingUrl: upstream,
    rateLimitRps: 1_000_000_000,
  },
);
console.log(`bazaar gateway on ${gateway.url}`);
process.on('SIGTERM', () => void gateway.stop().then(() => process.exit(0)));
