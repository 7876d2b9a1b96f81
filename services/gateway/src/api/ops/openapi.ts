// The Operations part of the public OpenAPI document, described from the operations' own schemas.
import type { TSchema } from 'typebox';
import type { OpenApiDocument } from '../../domain/openapi.ts';
import { operations } from './routes.ts';

const PREFIX = '/api/ops';
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** opsPaths describes the operations above as OpenAPI path items (admin only, bearer token). */
export function opsPaths(): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const path = PREFIX + op.url.replace(/:(\w+)/g, '{$1}');
    const parameters = [...parametersOf(op.params, 'path'), ...parametersOf(op.querystring, 'query')];
    const responses: Record<string, unknown> = {
      200: { description: 'OK', content: { 'application/json': { schema: op.answer } } },
      ...(op.querystring || op.params || op.body ? { 400: problem('VALIDATION_FAILED') } : {}),
      401: problem('UNAUTHENTICATED: no valid bearer token'),
      403: problem('FORBIDDEN: admins only'),
      ...Object.fromEntries(Object.entries(op.problems ?? {}).map(([status, text]) => [status, problem(text)])),
      429: problem('RATE_LIMITED: slow down, see Retry-After'),
    };
    paths[path] ??= {};
    paths[path][op.method.toLowerCase()] = {
      tags: ['Operations'],
      summary: op.summary,
      ...(parameters.length ? { parameters } : {}),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: op.body } } } } : {}),
      responses,
      security: [{ bearerAuth: [] }],
      'x-access': 'admin',
    };
  }
  return paths;
}

function parametersOf(schema: TSchema | undefined, where: 'path' | 'query') {
  const s = schema as
    | { properties?: Record<string, TSchema & { description?: string }>; required?: string[] }
    | undefined;
  return Object.entries(s?.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (s?.required ?? []).includes(name),
    ...(property.description ? { description: property.description } : {}),
    schema: property,
  }));
}

/** withOpsPaths adds the Operations tag and paths to the merged document the services' parts make. */
export function withOpsPaths(document: () => Promise<OpenApiDocument>): () => Promise<OpenApiDocument> {
  const paths = opsPaths();
  const tag = {
    name: 'Operations',
    description: 'The operations console’s data: health, traces, logs, messaging (admin)',
  };
  return async () => {
    const doc = await document();
    const tags = (doc.tags as { name: string }[] | undefined) ?? [];
    return { ...doc, tags: [...tags.filter((t) => t.name !== tag.name), tag], paths: { ...doc.paths, ...paths } };
  };
}
