// Identity inside the mesh: the gateway verifies the token and forwards who the caller is, vouched by a shared key.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError, forbidden, unauthenticated } from './errors.ts';

export type Role = 'customer' | 'admin';
export type Caller = { id: string; role: Role };
/** Route access: 'public' for anyone, 'customer' for any signed-in user, 'admin' for admins only. */
export type Access = 'public' | 'customer' | 'admin';

export const headers = { userId: 'x-user-id', role: 'x-user-role', internalKey: 'x-internal-key' } as const;

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** callerOf reads the identity the gateway forwarded; the internal key proves the request came through it. */
export function callerOf(req: FastifyRequest, internalKey: string | undefined): Caller | null {
  if (internalKey !== undefined) {
    const presented = req.headers[headers.internalKey];
    if (typeof presented !== 'string' || !sameSecret(presented, internalKey))
      throw new AppError('UNAUTHENTICATED', 401, 'Requests must come through the gateway.');
  }
  const id = req.headers[headers.userId];
  const role = req.headers[headers.role];
  if (typeof id !== 'string' || !id) return null;
  return { id, role: role === 'admin' ? 'admin' : 'customer' };
}

export function enforce(access: Access, caller: Caller | null): void {
  if (access === 'public') return;
  if (!caller) throw unauthenticated();
  if (access === 'admin' && caller.role !== 'admin') throw forbidden();
}
