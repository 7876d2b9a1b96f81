import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Call } from '../api/call.ts';
import { answerHeaders, upstreamHeaders } from './forward-headers.ts';

const callWith = (headers: Record<string, string>) =>
  ({
    req: { method: 'GET', url: '/api/orders', headers, socket: { remoteAddress: '10.0.0.9' } as Socket, on() {} },
    id: 'req-1',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    caller: { id: 'u-1', role: 'customer' },
    ip: '10.0.0.9',
    protocol: 'http',
  }) as unknown as Call;

describe('the heads a hop carries', () => {
  it('leaves out of an answer its hop-by-hop headers and those its Connection names, in any case', () => {
    const out = answerHeaders(
      {
        connection: 'keep-alive, X-Hop , close',
        'keep-alive': 'timeout=5',
        'x-hop': 'secret',
        'x-kept': 'yes',
        'x-trace-id': 'forged',
      },
      'req-1',
      'trace-1',
    );
    expect(out).toEqual({
      'x-kept': 'yes',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-request-id': 'req-1',
      'x-trace-id': 'trace-1',
    });
  });

  it('keeps a service’s cache-control unless its Connection names it', () => {
    expect(answerHeaders({ 'cache-control': 'max-age=60' }, 'r', 't')['cache-control']).toBe('max-age=60');
    const named = answerHeaders({ connection: 'cache-control', 'cache-control': 'max-age=60' }, 'r', 't');
    expect(named['cache-control']).toBe('no-store');
  });

  it('leaves out of a request what its Connection names and what only the gateway may say', () => {
    const out = upstreamHeaders(
      callWith({ connection: 'x-hop', 'x-hop': 'secret', 'x-kept': 'yes', 'x-user-id': 'forged', host: 'a' }),
      'key',
      false,
    );
    expect(out['x-hop']).toBeUndefined();
    expect(out.host).toBeUndefined();
    expect(out['x-kept']).toBe('yes');
    expect(out['x-user-id']).toBe('u-1');
    expect(out['x-forwarded-for']).toBe('10.0.0.9');
  });
});
