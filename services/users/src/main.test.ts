import { InProcessBroker } from '@bazaar/kit/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start } from './main.ts';

const key = 'test-key';
let svc: Awaited<ReturnType<typeof start>>;
const admin = { 'x-internal-key': key, 'x-user-id': 'someone', 'x-user-role': 'admin' };
/** Every line the service logs, at the default level. */
const lines: { level: string; msg: string; [field: string]: unknown }[] = [];

beforeAll(async () => {
  svc = await start(
    {
      broker: new InProcessBroker(),
      internalKey: key,
      dataRoot: 'memory://',
      logSink: { write: (line) => lines.push(JSON.parse(line)) },
    },
    { port: 0, adminEmail: 'root@bazaar.test', adminPassword: 'root-password', loginFailuresSweepMs: 50 },
  );
});
afterAll(() => svc.stop());

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  svc.app.inject({ method: 'POST', url, payload: payload as object, headers: { 'x-internal-key': key, ...headers } });

describe('users', () => {
  it('signs up, logs in and reads the profile', async () => {
    const created = await post('/api/users', {
      name: 'Ayesha',
      email: 'Ayesha@Example.pk',
      password: 'secret-123',
      city: 'Lahore',
    });
    expect(created.statusCode).toBe(201);
    const user = created.json();
    expect(user).toMatchObject({
      name: 'Ayesha',
      email: 'ayesha@example.pk',
      city: 'Lahore',
      phone: null,
      role: 'customer',
    });
    expect(JSON.stringify(user)).not.toContain('scrypt');

    const login = await post('/api/auth/login', { email: 'ayesha@example.pk', password: 'secret-123' });
    expect(login.statusCode).toBe(200);
    expect(login.json()).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600 });

    const me = await svc.app.inject({
      url: '/api/users/me',
      headers: { 'x-internal-key': key, 'x-user-id': user.id, 'x-user-role': 'customer' },
    });
    expect(me.json().id).toBe(user.id);
  });

  it('refuses a second account with the same email with EMAIL_TAKEN', async () => {
    await post('/api/users', { name: 'Bilal', email: 'bilal@example.pk', password: 'secret-123' });
    const again = await post('/api/users', { name: 'Bilal 2', email: 'BILAL@example.pk', password: 'secret-456' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('EMAIL_TAKEN');
  });

  it('rejects unknown fields, wrong types and malformed JSON with VALIDATION_FAILED', async () => {
    const unknown = await post('/api/users', {
      name: 'X',
      email: 'x@example.pk',
      password: 'secret-123',
      role: 'admin',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'role' }] });
    const wrongType = await post('/api/users', { name: 5, email: 'x@example.pk', password: 'secret-123' });
    expect(wrongType.json().code).toBe('VALIDATION_FAILED');
    const malformed = await svc.app.inject({
      method: 'POST',
      url: '/api/users',
      payload: '{"name":',
      headers: { 'x-internal-key': key, 'content-type': 'application/json' },
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe('VALIDATION_FAILED');
    const list = await svc.app.inject({ url: '/api/users?limit=100', headers: admin });
    expect(list.json().items.some((u: { email: string }) => u.email === 'x@example.pk')).toBe(false);
  });

  it('answers a wrong password with INVALID_CREDENTIALS and locks the account after five', async () => {
    await post('/api/users', { name: 'Chand', email: 'chand@example.pk', password: 'secret-123' });
    for (let i = 0; i < 5; i++) {
      const bad = await post('/api/auth/login', { email: 'chand@example.pk', password: 'wrong-one' });
      expect(bad.json().code).toBe('INVALID_CREDENTIALS');
    }
    const locked = await post('/api/auth/login', { email: 'chand@example.pk', password: 'secret-123' });
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBeDefined();
  });

  it('locks an unknown email out exactly like an account, so a 429 does not reveal which emails exist', async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) {
      answers.push((await post('/api/auth/login', { email: 'nobody@example.pk', password: 'wrong-one' })).json().code);
    }
    expect(answers).toEqual([...Array(5).fill('INVALID_CREDENTIALS'), 'RATE_LIMITED']);
  });

  it('forgets failed logins once their window and lock are over, with no login needed', async () => {
    for (const email of ['stale@example.pk', 'locked@example.pk', 'recent@example.pk'])
      await post('/api/auth/login', { email, password: 'wrong-one' });
    await svc.db.query(
      "UPDATE login_failures SET first_at = now() - interval '1 day' WHERE email IN ('stale@example.pk', 'locked@example.pk')",
    );
    await svc.db.query(
      "UPDATE login_failures SET locked_until = now() + interval '1 hour' WHERE email = 'locked@example.pk'",
    );
    const left = async () =>
      (
        await svc.db.query(
          "SELECT email FROM login_failures WHERE email IN ('stale@example.pk', 'locked@example.pk', 'recent@example.pk') ORDER BY email",
        )
      ).map((r) => r.email);
    for (let i = 0; i < 100 && (await left()).includes('stale@example.pk'); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await left()).toEqual(['locked@example.pk', 'recent@example.pk']);
  });

  it('does not let a profile update change role or email', async () => {
    const user = (await post('/api/users', { name: 'Dua', email: 'dua@example.pk', password: 'secret-123' })).json();
    const headers = { 'x-internal-key': key, 'x-user-id': user.id, 'x-user-role': 'customer' };
    const bad = await svc.app.inject({ method: 'PATCH', url: '/api/users/me', payload: { role: 'admin' }, headers });
    expect(bad.json().code).toBe('VALIDATION_FAILED');
    const ok = await svc.app.inject({ method: 'PATCH', url: '/api/users/me', payload: { city: 'Karachi' }, headers });
    expect(ok.json()).toMatchObject({ city: 'Karachi', role: 'customer' });
  });

  it('clears the phone or the city given as null, keeps what is not named, and refuses an empty phone', async () => {
    const user = (
      await post('/api/users', {
        name: 'Zara',
        email: 'zara@example.pk',
        password: 'secret-123',
        phone: '03001234567',
        city: 'Quetta',
      })
    ).json();
    const headers = { 'x-internal-key': key, 'x-user-id': user.id, 'x-user-role': 'customer' };
    const patch = (payload: object) => svc.app.inject({ method: 'PATCH', url: '/api/users/me', payload, headers });
    expect((await patch({ phone: null })).json()).toMatchObject({ phone: null, city: 'Quetta', name: 'Zara' });
    expect((await patch({ city: null, name: 'Zara Baloch' })).json()).toMatchObject({
      phone: null,
      city: null,
      name: 'Zara Baloch',
    });
    expect((await patch({ phone: '' })).json().code).toBe('VALIDATION_FAILED');
    expect((await patch({ name: null })).json().code).toBe('VALIDATION_FAILED');
    expect((await svc.app.inject({ url: '/api/users/me', headers })).json()).toMatchObject({ phone: null, city: null });
  });

  it('takes a sign-up whose phone and city are null as one without them, the way a User shows them', async () => {
    const res = await post('/api/users', {
      name: 'Noor',
      email: 'noor.nulls@example.pk',
      password: 'secret-123',
      phone: null,
      city: null,
    });
    expect([res.statusCode, res.json().phone, res.json().city]).toEqual([201, null, null]);
  });

  it('stores a city without the spaces around it, as a name, and refuses a blank one at sign-up and in a change', async () => {
    const signUp = (city: string, email: string) =>
      post('/api/users', { name: 'Rida', email, password: 'secret-123', city });
    const user = (await signUp('  Lahore ', 'city.one@example.pk')).json();
    expect(user.city).toBe('Lahore');
    const blank = await signUp('   ', 'city.two@example.pk');
    expect([blank.statusCode, blank.json().errors]).toEqual([400, [{ path: 'city', message: 'must not be blank' }]]);
    const headers = { 'x-internal-key': key, 'x-user-id': user.id, 'x-user-role': 'customer' };
    const patch = (payload: object) => svc.app.inject({ method: 'PATCH', url: '/api/users/me', payload, headers });
    expect((await patch({ city: ' Multan  ' })).json().city).toBe('Multan');
    expect((await patch({ city: ' ' })).json().code).toBe('VALIDATION_FAILED');
    expect((await svc.app.inject({ url: '/api/users/me', headers })).json().city).toBe('Multan');
  });
  it("lists every customer's order history for admins, in order id order and paged, and for nobody else", async () => {
    for (const [orderId, userId, status] of [
      ['ord_b', 'usr_1', 'CONFIRMED'],
      ['ord_a', 'usr_2', 'REJECTED'],
      ['ord_c', 'usr_1', 'DELIVERED'],
    ])
      await svc.db.query(
        `INSERT INTO order_history (order_id, user_id, status, total, item_count, placed_at, updated_at, version)
         VALUES ($1, $2, $3, 100, 1, now(), now(), 1)`,
        [orderId, userId, status],
      );
    const first = await svc.app.inject({ url: '/api/users/order-history?limit=2', headers: admin });
    expect(
      first
        .json()
        .items.map((e: { orderId: string; userId: string; status: string }) => [e.orderId, e.userId, e.status]),
    ).toEqual([
      ['ord_a', 'usr_2', 'REJECTED'],
      ['ord_b', 'usr_1', 'CONFIRMED'],
    ]);
    const next = await svc.app.inject({
      url: `/api/users/order-history?limit=2&cursor=${first.json().nextCursor}`,
      headers: admin,
    });
    expect(next.json()).toMatchObject({ items: [{ orderId: 'ord_c' }], nextCursor: null });
    const customer = await svc.app.inject({
      url: '/api/users/order-history',
      headers: { ...admin, 'x-user-role': 'customer' },
    });
    expect(customer.json().code).toBe('FORBIDDEN');
  });

  it('lets only admins list users, and refuses requests without the internal key', async () => {
    const customer = await svc.app.inject({ url: '/api/users', headers: { ...admin, 'x-user-role': 'customer' } });
    expect(customer.json().code).toBe('FORBIDDEN');
    const page = await svc.app.inject({ url: '/api/users?limit=2', headers: admin });
    expect(page.json().items).toHaveLength(2);
    const next = await svc.app.inject({ url: `/api/users?limit=2&cursor=${page.json().nextCursor}`, headers: admin });
    expect(next.json().items[0].id).not.toBe(page.json().items[0].id);
    const outsider = await svc.app.inject({ url: '/api/users/me' });
    expect(outsider.statusCode).toBe(401);
  });

  it('answers an admin the users of the ids asked for, in one page, leaving out unknown ids; and no customer', async () => {
    const a = (
      await post('/api/users', { name: 'Sana Mir', email: 'sana@example.pk', password: 'sana-secret-1' })
    ).json();
    const b = (
      await post('/api/users', { name: 'Umar Gul', email: 'umar@example.pk', password: 'umar-secret-1' })
    ).json();
    const url = `/api/users?limit=1&id=${a.id},usr_nobody,${b.id},${a.id}`;
    const found = await svc.app.inject({ url, headers: admin });
    expect(found.statusCode).toBe(200);
    expect(
      found
        .json()
        .items.map((u: { name: string }) => u.name)
        .sort(),
    ).toEqual(['Sana Mir', 'Umar Gul']);
    expect(found.json().nextCursor).toBeNull();
    const customer = await svc.app.inject({ url, headers: { ...admin, 'x-user-role': 'customer' } });
    expect(customer.json().code).toBe('FORBIDDEN');
    const tooMany = Array.from({ length: 101 }, (_, i) => `usr_${i}`).join(',');
    for (const ids of ['', ',', `${a.id},`, 'usr_1;DROP', tooMany]) {
      const bad = await svc.app.inject({ url: `/api/users?id=${ids}`, headers: admin });
      expect(bad.json().code, ids).toBe('VALIDATION_FAILED');
    }
  });

  it('logs a sign-up once with the new user id under the request trace, never the email or password', async () => {
    const created = await post('/api/users', { name: 'Erum', email: 'erum@example.pk', password: 'erum-secret-1' });
    const { id } = created.json();
    const logged = lines.filter((l) => l.msg === 'user registered' && l.userId === id);
    expect(logged).toEqual([expect.objectContaining({ level: 'info', traceId: created.headers['x-trace-id'] })]);
    expect(JSON.stringify(lines)).not.toMatch(/erum@example\.pk|erum-secret-1/);
  });

  it('logs a lock-out once, as a warning naming the account id, not the email or password', async () => {
    const { id } = (
      await post('/api/users', { name: 'Farah', email: 'farah@example.pk', password: 'farah-secret-1' })
    ).json();
    const attempts = [];
    for (let i = 0; i < 7; i++)
      attempts.push(await post('/api/auth/login', { email: 'farah@example.pk', password: 'wrong-guess' }));
    expect(attempts.at(-1)?.statusCode).toBe(429);
    const locks = lines.filter((l) => l.msg === 'login locked out' && l.accountId === id);
    expect(locks).toEqual([
      expect.objectContaining({ level: 'warn', failures: 5, traceId: attempts[4].headers['x-trace-id'] }),
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/farah@example\.pk|wrong-guess|farah-secret-1/);
  });

  it('logs the lock-out of an email that has no account without naming the email', async () => {
    for (let i = 0; i < 5; i++) await post('/api/auth/login', { email: 'ghost@example.pk', password: 'wrong-guess' });
    const lock = lines.find((l) => l.msg === 'login locked out' && l.accountId === null);
    expect(lock).toMatchObject({ level: 'warn', failures: 5 });
    expect(JSON.stringify(lines)).not.toContain('ghost@example.pk');
  });

  it('publishes its public key as a JWKS', async () => {
    const jwks = await svc.app.inject({ url: '/.well-known/jwks.json', headers: { 'x-internal-key': key } });
    expect(jwks.json().keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(jwks.json().keys[0].d).toBeUndefined();
    // Described in /openapi.json as it is answered, so a client of /docs knows the shape of a key.
    const doc = (await svc.app.inject({ url: '/openapi.json', headers: { 'x-internal-key': key } })).json();
    const schema = doc.paths['/.well-known/jwks.json'].get.responses['200']?.content?.['application/json']?.schema;
    expect(Object.keys(schema?.properties?.keys?.items?.properties ?? {})).toEqual(Object.keys(jwks.json().keys[0]));
  });
});
