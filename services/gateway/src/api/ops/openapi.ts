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

/** The probes and metrics at the root, open to anyone who reaches the gateway (operations-routes.ts). */
function probePaths(): Record<string, Record<string, unknown>> {
  const probe = (summary: string, responses: Record<string, unknown>) => ({
    get: { tags: ['Operations'], summary, responses, security: [], 'x-access': 'public' },
  });
  const json = (description: string) => ({
    description,
    content: { 'application/json': { schema: { type: 'object' } } },
  });
  return {
    '/healthz': probe('Liveness: 200 while the gateway runs', { 200: json('Alive') }),
    '/readyz': probe('Readiness: 200 when every service has a ready replica', {
      200: json('Ready'),
      503: problem('NOT_READY: `failing` names each service with no ready replica'),
    }),
    '/metrics': probe('Prometheus metrics of the gateway (each service serves its own on its port)', {
      200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } },
    }),
  };
}

/** withOpsPaths adds the Operations tag and paths to the merged document the services' parts make. */
export function withOpsPaths(document: () => Promise<OpenApiDocument>): () => Promise<OpenApiDocument> {
  const paths = { ...probePaths(), ...opsPaths() };
  const tag = {
    name: 'Operations',
    description: 'Probes and metrics; the operations console’s data: health, traces, logs, messaging (admin)',
  };
  return async () => {
    const doc = await document();
    const tags = (doc.tags as { name: string }[] | undefined) ?? [];
    return { ...doc, tags: [...tags.filter((t) => t.name !== tag.name), tag], paths: { ...doc.paths, ...paths } };
  };
}
