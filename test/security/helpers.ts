// Helpers of the security suites: customers with their own passwords, and a record of every error answer seen.
import { randomUUID } from 'node:crypto';
import { Shopper } from '../support/shop.ts';

export type Customer = Shopper & { id: string; email: string; password: string };

/** newCustomer signs a customer up with a password of their own (so the log scan can look for it) and logs in. */
export async function newCustomer(base: string, name: string): Promise<Customer> {
  const shopper = new Shopper(base) as Customer;
  const email = `${name.toLowerCase()}-${randomUUID().slice(0, 8)}@example.pk`;
  const password = `pw-${randomUUID()}`;
  const created = await shopper.call('POST', '/api/users', { name, email, password, city: 'Lahore' });
  if (created.status !== 201) throw new Error(`sign-up answered ${created.status}`);
  await shopper.logIn(email, password);
  return Object.assign(shopper, { id: created.body.id as string, email, password });
}

export type Seen = { method: string; url: string; status: number; contentType: string; body: string };

/**
 * recordErrors wraps the global fetch so every answer of 400 and above is kept (its body read from a clone);
 * `restore` puts the real fetch back.
 */
export function recordErrors(): { seen: Seen[]; restore(): void } {
  const real = globalThis.fetch;
  const seen: Seen[] = [];
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const res = await real(input, init);
    const contentType = res.headers.get('content-type') ?? '';
    if (res.status >= 400 && !contentType.includes('event-stream')) {
      const body = await res.clone().text();
      seen.push({ method: init?.method ?? 'GET', url: String(input), status: res.status, contentType, body });
    }
    return res;
  };
  return {
    seen,
    restore: () => {
      globalThis.fetch = real;
    },
  };
}

/** What must never reach a client: stack frames, source paths, SQL and driver errors, internal addresses. */
export const LEAKS: [string, RegExp][] = [
  ['a stack frame', /\bat\s+[\w.<>$]+\s+\(|\bat\s+(?:file|node):|\.(?:ts|js|mjs|cjs):\d+/],
  ['a stack property', /"stack"\s*:/],
  ['a source or file path', /node_modules|\/work\/|\/home\/|\/usr\/|file:\/\/|\bsrc\/[\w/-]+\.ts/],
  [
    'SQL',
    /\bSELECT\s+.+\s+FROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b|\bWHERE\s+\w+\s*=\s*\$\d/i,
  ],
  [
    'a database error',
    /syntax error|relation "|violates|duplicate key|invalid input syntax|bind message|prepared statement|pglite|postgres/i,
  ],
  [
    'an internal address',
    /\b(?:127\.0\.0\.1|localhost|0\.0\.0\.0|\[::1?\])(?::\d+)?|\b(?:\d{1,3}\.){3}\d{1,3}:\d{2,5}\b/,
  ],
  ['a network or framework error', /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EADDRINUSE|UND_ERR|undici|FST_ERR|fastify/i],
];

export const UPPER_SNAKE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

/** problemFaults lists what is wrong with one recorded error answer (empty when it is a clean problem document). */
export function problemFaults(s: Seen): string[] {
  const faults: string[] = [];
  if (!s.contentType.startsWith('application/problem+json')) faults.push(`content-type ${s.contentType}`);
  for (const [what, pattern] of LEAKS) if (pattern.test(s.body)) faults.push(`contains ${what}`);
  let doc: Record<string, unknown> | undefined;
  try {
    doc = JSON.parse(s.body);
  } catch {
    faults.push('body is not JSON');
  }
  if (doc) {
    if (doc.status !== s.status) faults.push(`status ${String(doc.status)} in the body`);
    if (typeof doc.code !== 'string' || !UPPER_SNAKE.test(doc.code)) faults.push(`code ${String(doc.code)}`);
    for (const field of ['type', 'title', 'detail']) if (typeof doc[field] !== 'string') faults.push(`no ${field}`);
  }
  return faults;
}
