import { describe, expect, it } from 'vitest';
import { mergeOpenApi } from './openapi.ts';

const json = (schema: object) => ({ content: { 'application/json': { schema } } });
/** One service's document of the given paths, merged. */
const merged = (service: 'users' | 'orders', paths: object) =>
  mergeOpenApi([{ service, doc: { openapi: '3.1.0', paths } }]);

describe('the merged OpenAPI document', () => {
  it("documents a service's declared refusals as application/problem+json, its answers as they are", () => {
    const doc = merged('users', {
      '/api/users': {
        post: {
          requestBody: json({ type: 'object' }),
          responses: {
            201: { description: 'User', ...json({ type: 'object' }) },
            409: { description: 'EMAIL_TAKEN: an account with this email exists', ...json({ type: 'object' }) },
          },
        },
      },
    });
    const responses = doc.paths['/api/users'].post as {
      responses: Record<string, { description: string; content?: object }>;
    };
    expect(Object.keys(responses.responses['201'].content ?? {})).toEqual(['application/json']);
    expect(responses.responses['409']).toEqual({
      description: 'EMAIL_TAKEN: an account with this email exists',
      content: { 'application/problem+json': { schema: { type: 'object' } } },
    });
    for (const [status, response] of Object.entries(responses.responses))
      if (Number(status) >= 400) expect(Object.keys(response.content ?? {})).toEqual(['application/problem+json']);
  });

  it('documents 413 and 415 on every operation that takes a body, as the gateway and the service answer them', () => {
    const doc = merged('orders', {
      '/api/orders': {
        post: { requestBody: json({ type: 'object' }), responses: { 201: { description: 'Order' } } },
        get: { responses: { 200: { description: 'Orders' } } },
      },
    });
    const responses = (method: string) =>
      Object.keys((doc.paths['/api/orders'][method] as { responses: object }).responses);
    expect(responses('post')).toEqual(expect.arrayContaining(['413', '415']));
    expect(responses('get')).not.toContain('415');
  });
});
