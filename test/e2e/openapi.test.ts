// /openapi.json against API.md: every operation of the contract is documented with every answer the contract gives it,
// as the running services and the gateway publish them (nothing here is a copy of the document).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceFor } from '../../services/gateway/src/domain/route-match.ts';
import { accessFor, serviceNames } from '../../services/gateway/src/domain/routes.ts';
import { startTestPlatform } from '../support/platform.ts';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
type Operation = {
  responses: Record<string, { description: string }>;
  'x-access': string;
  requestBody?: { content: object };
};
let paths: Record<string, Record<string, Operation>>;

beforeAll(async () => {
  platform = await startTestPlatform();
  paths = (await (await fetch(`${platform.gatewayUrl}/openapi.json`)).json()).paths;
}, 60_000);
afterAll(() => platform?.stop());

// API.md's tables: each operation, who may call it, and the statuses it names (401, 403 and 429 follow from access and path).
const contract: [method: string, path: string, access: string, statuses: string[]][] = [
  ['post', '/api/users', 'public', ['201', '400', '409']],
  ['post', '/api/auth/login', 'public', ['200', '400', '401', '429']],
  ['get', '/api/users/me', 'customer', ['200']],
  ['patch', '/api/users/me', 'customer', ['200', '400', '413']],
  ['get', '/api/users', 'admin', ['200', '400']],
  ['get', '/api/users/me/orders', 'customer', ['200', '400']],
  ['get', '/api/products', 'public', ['200', '400']],
  ['get', '/api/products/{sku}', 'public', ['200', '404']],
  ['post', '/api/inventory', 'admin', ['201', '400', '409', '413']],
  ['post', '/api/inventory/{sku}/adjustments', 'admin', ['200', '400', '404', '409', '413']],
  ['post', '/api/orders', 'customer', ['201', '202', '400', '402', '409', '413', '422']],
  ['get', '/api/orders', 'customer', ['200', '400']],
  ['get', '/api/orders/{id}', 'customer', ['200', '404']],
  ['post', '/api/orders/{id}/cancel', 'customer', ['200', '404', '409']],
  ['get', '/api/orders/{id}/events', 'customer', ['200', '404']],
  ['get', '/api/payments', 'customer', ['200', '400']],
  ['post', '/api/payments/callbacks/{provider}', 'public', ['200', '401']],
  ['get', '/api/shipments/{trackingNumber}', 'public', ['200', '404']],
  ['get', '/api/shipping/rates', 'public', ['200']],
  ['get', '/healthz', 'public', ['200']],
  ['get', '/readyz', 'public', ['200', '503']],
  ['get', '/metrics', 'public', ['200']],
];

describe('/openapi.json', () => {
  it.each(contract)(
    '%s %s documents who may call it and every answer API.md gives it',
    (method, path, access, statuses) => {
      const operation = paths[path]?.[method];
      expect(operation, `${method} ${path} is documented`).toBeDefined();
      expect(operation['x-access']).toBe(access);
      const expected = [
        ...statuses,
        ...(access === 'public' ? [] : ['401']),
        ...(access === 'admin' ? ['403'] : []),
        ...(path.startsWith('/api/') ? ['429'] : []), // probes are never rate limited
        ...(operation.requestBody ? ['413', '415'] : []), // the gateway's size limit; a body not of a listed type
      ];
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(expected));
      // A refusal's description names its code, so a reader of /docs knows what to expect.
      for (const status of expected.filter((s) => s >= '400'))
        expect(operation.responses[status].description, status).toMatch(/^[A-Z_]+\b/);
    },
  );
});

describe('what each body may be', () => {
  it('lists form-encoded as well as JSON for the provider callbacks, as the providers post them', () => {
    const body = paths['/api/payments/callbacks/{provider}'].post.requestBody;
    expect(Object.keys(body?.content ?? {})).toEqual(['application/json', 'application/x-www-form-urlencoded']);
  });
});

describe("who may call each route, as the gateway and the route's own service say", () => {
  // A service declares a route's access on the route (config.access); the gateway lets a request through by its own
  // rules (accessRules in services/gateway/src/domain/routes.ts). Where the two disagree, a route the service made
  // public asks for a token at the gateway, or an admin route reaches its service for anyone signed in.
  it('agree on every routed operation: public at both or at neither, and admin at the service when at the gateway', async () => {
    const disagreements: string[] = [];
    for (const service of serviceNames) {
      const headers = { 'x-internal-key': platform.platform.internalKey };
      const own = await (await fetch(`${platform.urls[service]}/openapi.json`, { headers })).json();
      for (const [path, item] of Object.entries(own.paths as Record<string, Record<string, Operation>>)) {
        if (serviceFor(path) !== service) continue; // not routed: internal, or a probe
        for (const [method, operation] of Object.entries(item)) {
          const declared = operation['x-access'];
          if (!declared) continue; // not an operation (parameters shared by the path)
          const atGateway = accessFor(method.toUpperCase(), path.replace(/\{[^}]+\}/g, 'x'));
          if ((declared === 'public') !== (atGateway === 'public') || (atGateway === 'admin' && declared !== 'admin'))
            disagreements.push(
              `${method.toUpperCase()} ${path}: ${declared} at ${service}, ${atGateway} at the gateway`,
            );
        }
      }
    }
    expect(disagreements).toEqual([]);
  });
});

describe('an anonymous caller, as the gateway learns the routes from the services', () => {
  it('is told 404 NOT_FOUND for a method or path no service has, and 401 only where a token would help', {
    timeout: 30_000,
  }, async () => {
    const status = async (method: string, path: string) => {
      const res = await fetch(`${platform.gatewayUrl}${path}`, { method });
      return `${method} ${path} ${res.status} ${method === 'HEAD' ? '' : (await res.json()).code}`;
    };
    // Learnt once every service has published its document: on a busy machine a first try may time out.
    await expect
      .poll(() => status('GET', '/api/auth/login'), { timeout: 20_000, interval: 500 })
      .toBe('GET /api/auth/login 404 NOT_FOUND');
    const answers = [
      await status('GET', '/api/auth/login'),
      await status('DELETE', '/api/products/TEA-001'),
      await status('PUT', '/api/shipping/rates'),
      await status('GET', '/api/orders/ord_1/nothing'),
      await status('GET', '/api/users/me'),
      await status('GET', '/api/orders/ord_1'),
      await status('POST', '/api/orders/ord_1/cancel'),
    ];
    expect(answers).toEqual([
      'GET /api/auth/login 404 NOT_FOUND',
      'DELETE /api/products/TEA-001 404 NOT_FOUND',
      'PUT /api/shipping/rates 404 NOT_FOUND',
      'GET /api/orders/ord_1/nothing 404 NOT_FOUND',
      'GET /api/users/me 401 UNAUTHENTICATED',
      'GET /api/orders/ord_1 401 UNAUTHENTICATED',
      'POST /api/orders/ord_1/cancel 401 UNAUTHENTICATED',
    ]);
  });
});
