import { InProcessBroker } from '@bazaar/kit/messaging';
import { start as startUsers } from '@bazaar/users';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, start } from './main.ts';
import { closedPort } from './test-support.ts';

const internalKey = 'test-key';
let users: Awaited<ReturnType<typeof startUsers>>;
let gateway: Gateway;

beforeAll(async () => {
  users = await startUsers(
    { broker: new InProcessBroker(), internalKey, dataRoot: 'memory://', logLevel: 'silent' },
    { port: 0, adminEmail: 'root@bazaar.test', adminPassword: 'root-password' },
  );
  const down = await closedPort();
  gateway = await start(
    { internalKey, logLevel: 'silent' },
    {
      port: 0,
      usersUrl: users.url,
      inventoryUrl: down,
      ordersUrl: down,
      paymentsUrl: down,
      shippingUrl: down,
      rateLimitRps: 0,
    },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await users?.stop();
});

const call = (
  path: string,
  init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
) =>
  fetch(`${gateway.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });

const logIn = async (email: string, password: string) => {
  const res = await call('/api/auth/login', { method: 'POST', body: { email, password } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
};

describe('the real users service behind the gateway', () => {
  it('signs up, logs in and reads the profile with the token it was given', async () => {
    const created = await call('/api/users', {
      method: 'POST',
      body: { name: 'Ayesha', email: 'ayesha@example.pk', password: 'secret-123', city: 'Lahore' },
    });
    expect(created.status).toBe(201);
    const user = (await created.json()) as { id: string };

    const token = await logIn('ayesha@example.pk', 'secret-123');
    const me = await call('/api/users/me', { token });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: user.id, email: 'ayesha@example.pk', role: 'customer' });
    expect(me.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);

    expect((await call('/api/users/me')).status).toBe(401);
    const forbidden = await call('/api/users', { token });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { code: string }).code).toBe('FORBIDDEN');
  });

  it('lets the admin list users, and a forged admin header changes nothing', async () => {
    const forged = await call('/api/users', {
      headers: { 'x-user-id': 'x', 'x-user-role': 'admin', 'x-internal-key': internalKey },
    });
    expect(forged.status).toBe(401);
    const admin = await logIn('root@bazaar.test', 'root-password');
    const list = await call('/api/users?limit=5', { token: admin });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
  });

  it("relays the service's own problems, and publishes its keys", async () => {
    const wrong = await call('/api/auth/login', {
      method: 'POST',
      body: { email: 'ayesha@example.pk', password: 'wrong-one' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
    expect(((await wrong.json()) as { code: string }).code).toBe('INVALID_CREDENTIALS');
    const jwks = (await (await call('/.well-known/jwks.json')).json()) as { keys: { alg: string; d?: string }[] };
    expect(jwks.keys[0].alg).toBe('ES256');
    expect(jwks.keys[0].d).toBeUndefined();
  });

  it("lists the users service's operations in the merged document and notes the missing services", async () => {
    const doc = (await (await call('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { security: unknown[] }>>;
      info: { description: string };
    };
    expect(doc.paths['/api/users/me'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/api/auth/login'].post.security).toEqual([]);
    expect(doc.info.description).toContain('orders');
  });
});
