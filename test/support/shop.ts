// A client for end-to-end tests: talks to the gateway as a customer or admin would.
import { randomUUID } from 'node:crypto';
import { ADMIN } from './platform.ts';

export type Res<T = any> = { status: number; body: T; headers: Headers };

export class Shopper {
  token?: string;
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }

  async call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Res<T>> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  }

  /** The shop's admin (the account the test platforms ensure), logged in. */
  static async admin(base: string): Promise<Shopper> {
    const admin = new Shopper(base);
    await admin.logIn(ADMIN.email, ADMIN.password);
    return admin;
  }

  /** A new customer of the shop at base, signed up and logged in. */
  static async signedUp(base: string, name: string): Promise<Shopper> {
    const shopper = new Shopper(base);
    await shopper.signUp(name);
    return shopper;
  }

  async signUp(name = 'Test Shopper'): Promise<{ id: string; email: string }> {
    const email = `shopper-${randomUUID().slice(0, 8)}@example.pk`;
    const created = await this.call('POST', '/api/users', { name, email, password: 'secret-123', city: 'Lahore' });
    if (created.status !== 201) throw new Error(`sign-up answered ${created.status}`);
    await this.logIn(email, 'secret-123');
    return created.body;
  }

  async logIn(email: string, password: string): Promise<void> {
    const login = await this.call('POST', '/api/auth/login', { email, password });
    if (login.status !== 200) throw new Error(`login answered ${login.status}`);
    this.token = login.body.accessToken;
  }

  order(
    items: { sku: string; quantity: number }[],
    payment: { method: string; wallet?: string },
    headers: Record<string, string> = {},
  ) {
    return this.call(
      'POST',
      '/api/orders',
      { items, payment, shipping: { city: 'Lahore', address: '12 Mall Road', phone: '03001234567' } },
      headers,
    );
  }

  /** Polls the order until pred holds or the time runs out. */
  async until(orderId: string, pred: (o: any) => boolean, ms = 15_000): Promise<any> {
    const deadline = Date.now() + ms;
    for (;;) {
      const { body } = await this.call('GET', `/api/orders/${orderId}`);
      if (pred(body) || Date.now() > deadline) return body;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
