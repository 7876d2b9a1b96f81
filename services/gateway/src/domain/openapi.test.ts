import { describe, expect, it } from 'vitest';
import { mergeOpenApi } from './openapi.ts';

const json = (schema: object) => ({ content: { 'application/json': { schema } } });

describe('the merged OpenAPI document', () => {
  it("documents a service's declared refusals as application/problem+json, its answers as they are", () => {
    const doc = mergeOpenApi([
      {
        service: 'users',
        doc: {
          openapi: '3.1.0',
          paths: {
            '/api/users': {
              post: {
                requestBody: json({ type: 'object' }),
                responses: {
                  201: { description: 'User', ...json({ type: 'object' }) },
                  409: { description: 'EMAIL_TAKEN: an account with this email exists', ...json({ type: 'object' }) },
                },
              },
            },
          },
        },
      },
    ]);
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
});
