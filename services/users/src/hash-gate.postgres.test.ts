// The hashing gate through the users service's HTTP surface, on real PostgreSQL: sign-ups and logins hash at most
// HASH_CONCURRENCY at a time, taking turns by client address, so one address's flood delays itself and not others.
import { InProcessBroker } from '@bazaar/kit/messaging';
import { postgresOrSkip, scratchDatabases } from '@bazaar/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAddressHeader } from './contracts.ts';
import { start } from './main.ts';

const serverUrl = await postgresOrSkip();
const key = 'test-key';
const CONCURRENCY = 2;
const PER_CLIENT = 40;

describe.skipIf(!serverUrl)('the hashing gate, on PostgreSQL', () => {
  const scratch = scratchDatabases(serverUrl!);
  const lines: string[] = [];
  let svc: Awaited<ReturnType<typeof start>>;

  beforeAll(async () => {
    const { name: databaseName } = await scratch.create('users_test');
    svc = await start(
      {
        broker: new InProcessBroker(),
        internalKey: key,
        databaseUrl: serverUrl,
        databaseName,
        logSink: { write: (line) => lines.push(line) },
      },
      { port: 0, hashConcurrency: CONCURRENCY, hashQueuePerClient: PER_CLIENT, hashQueueMaxWaitMs: 60_000 },
    );
  });
  afterAll(async () => {
    await svc?.stop();
    await scratch.drop();
  });

  /** post calls the service as the gateway does, naming the client's address; a direct call when it is null. */
  const post = async (path: string, body: object, client: string | null) => {
    const res = await fetch(new URL(path, svc.url), {
      method: 'POST',
      headers: {
        'x-internal-key': key,
        'content-type': 'application/json',
        ...(client && { [clientAddressHeader]: client }),
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
  };
  const logIn = (email: string, password: string, client: string | null) =>
    post('/api/auth/login', { email, password }, client);
  const waiting = async () => {
    const text = await (await fetch(new URL('/metrics', svc.url))).text();
    return Number(/users_password_hashes\{state="waiting"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
  };
  const failureRows = async (emails: string[]) =>
    (await svc.db.query('SELECT email FROM login_failures WHERE email = ANY($1)', [emails])).map((r) => r.email);

  it('when one address floods logins, a login from another waits for a few hashes, not for the flood', async () => {
    await post('/api/users', { name: 'Hina', email: 'hina@example.pk', password: 'hina-secret-1' }, '192.0.2.1');
    const finished: string[] = [];
    const flood = Array.from({ length: PER_CLIENT }, (_, i) =>
      logIn(`guess-${i}@flood.test`, 'wrong-guess', '198.51.100.66').then((r) => {
        finished.push('flood');
        return r;
      }),
    );
    for (let i = 0; i < 200 && (await waiting()) < 30; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await waiting(), 'the flood is queued at the gate').toBeGreaterThanOrEqual(30);
    const floodDoneBefore = finished.length;
    const hina = await logIn('hina@example.pk', 'hina-secret-1', '192.0.2.1');
    finished.push('hina');
    expect(hina.status).toBe(200);
    // Hina's check starts after those running and about one more of the flood's (slack for timing on a busy machine).
    expect(finished.indexOf('hina') - floodDoneBefore).toBeLessThanOrEqual(CONCURRENCY + 3);
    expect(finished.length, 'most of the flood still waits').toBeLessThan(30);
    expect((await Promise.all(flood)).every((r) => r.body.code === 'INVALID_CREDENTIALS')).toBe(true);
  }, 60_000);

  it("refuses an address's login over its queue bound at once with 429 RATE_LIMITED and Retry-After, counting no try", async () => {
    // A direct call names no address: the socket's counts.
    const emails = Array.from({ length: PER_CLIENT + 20 }, (_, i) => `bound-${i}@flood.test`);
    const answers = await Promise.all(emails.map((email) => logIn(email, 'wrong-guess', null)));
    const refused = emails.filter((_, i) => answers[i].status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(10);
    for (const answer of answers.filter((a) => a.status === 429)) {
      expect(answer.body.code).toBe('RATE_LIMITED');
      expect(answer.retryAfter).toMatch(/^[1-9]\d*$/);
    }
    expect(answers.filter((a) => a.status !== 429).every((a) => a.body.code === 'INVALID_CREDENTIALS')).toBe(true);
    expect(await failureRows(refused)).toEqual([]);
    expect((await failureRows(emails)).length).toBe(emails.length - refused.length);
  }, 60_000);

  it('signs up a burst from one address within its bound, every one of them', async () => {
    const burst = Array.from({ length: 30 }, (_, i) =>
      post(
        '/api/users',
        { name: `Shopper ${i}`, email: `shopper-${i}@shop.test`, password: 'shopper-pass' },
        '203.0.113.5',
      ),
    );
    const answers = await Promise.all(burst);
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(201));
    const stored = await svc.db.query("SELECT count(*)::int AS n FROM users WHERE email LIKE 'shopper-%@shop.test'");
    expect(stored[0].n).toBe(30);
  });

  it('still locks an account after five failures when guesses race through the gate, and never logs a hash', async () => {
    await post('/api/users', { name: 'Iqra', email: 'iqra@example.pk', password: 'iqra-secret-1' }, '192.0.2.2');
    const guesses = await Promise.all(
      Array.from({ length: 10 }, () => logIn('iqra@example.pk', 'wrong-guess', '192.0.2.3')),
    );
    expect(guesses.map((g) => g.body.code).sort()).toEqual([
      ...Array(5).fill('INVALID_CREDENTIALS'),
      ...Array(5).fill('RATE_LIMITED'),
    ]);
    expect((await logIn('iqra@example.pk', 'iqra-secret-1', '192.0.2.3')).status).toBe(429);
    expect(lines.join('\n')).not.toMatch(/scrypt\$|iqra-secret-1|hina-secret-1/);
  });
});
