// The public API's OpenAPI document, merged from the services' own: only routed paths, access marked per operation.
import type { Access } from '@bazaar/kit/server';
import { serviceFor } from './route-match.ts';
import { accessFor, type ServiceName } from './routes.ts';

type Json = Record<string, unknown>;
export type OpenApiDocument = Json & {
  openapi: string;
  info: Json;
  paths: Record<string, Json>;
  components: Record<string, Json>;
};

const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

const problemRef = { $ref: '#/components/schemas/Problem' };
const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemRef } },
});

/** mergeOpenApi builds the gateway's document from each reachable service's; `missing` names the unreachable ones. */
export function mergeOpenApi(
  parts: { service: ServiceName; doc: unknown }[],
  missing: ServiceName[] = [],
): OpenApiDocument {
  const merged: OpenApiDocument = {
    openapi: '3.1.0',
    info: {
      title: 'Bazaar API',
      version: '1.0.0',
      description:
        'The public API of Bazaar, served by the gateway. Money is integer paisa; errors are RFC 9457 problem documents.' +
        (missing.length
          ? ` Not included, because unreachable when this document was built: ${missing.join(', ')}.`
          : ''),
    },
    servers: [{ url: '/' }],
    tags: [],
    paths: {},
    components: {
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail', 'code'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            code: { type: 'string', description: 'Stable UPPER_SNAKE identifier' },
            traceId: { type: 'string' },
            errors: {
              type: 'array',
              items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
            },
          },
        },
      },
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
  const tags = merged.tags as { name: string }[];

  for (const { service, doc } of parts) {
    const source = renameComponents(service, doc as Json, merged.components);
    for (const tag of (source.tags as { name: string }[] | undefined) ?? [])
      if (!tags.some((t) => t.name === tag.name)) tags.push(tag);
    for (const [path, item] of Object.entries((source.paths as Record<string, Json> | undefined) ?? {})) {
      if (serviceFor(path) !== service || merged.paths[path]) continue;
      const published: Json = {};
      for (const [key, value] of Object.entries(item)) {
        if (!(methods as readonly string[]).includes(key)) published[key] = value;
        else if (!(value as Json)['x-hidden']) published[key] = markAccess(key, path, service, value as Json);
      }
      if (Object.keys(published).some((k) => (methods as readonly string[]).includes(k)))
        merged.paths[path] = published;
    }
  }
  return merged;
}

const strictness: Record<Access, number> = { public: 0, customer: 1, admin: 2 };

/**
 * Marks who may call the operation: the stricter of the gateway's rule and what the service declares (`x-access`),
 * as a caller meets them (test/e2e/openapi.test.ts holds the two to agreeing). Adds the refusals every operation of
 * its kind can get (API.md's conventions).
 */
function markAccess(method: string, path: string, service: ServiceName, operation: Json): Json {
  const atGateway = accessFor(method.toUpperCase(), path);
  const declared = operation['x-access'] as Access | undefined;
  const access = declared && strictness[declared] > strictness[atGateway] ? declared : atGateway;
  const responses = Object.fromEntries(
    Object.entries((operation.responses as Json | undefined) ?? {}).map(([status, r]) => [
      status,
      asProblem(status, r),
    ]),
  );
  const hasBody = operation.requestBody !== undefined;
  if (hasBody || (operation.parameters as unknown[] | undefined)?.length)
    responses['400'] ??= problemResponse('VALIDATION_FAILED: `errors` names each field');
  if (access !== 'public') responses['401'] ??= problemResponse('UNAUTHENTICATED: no valid bearer token');
  if (access === 'admin') responses['403'] ??= problemResponse('FORBIDDEN: admins only');
  if (path.includes('{')) responses['404'] ??= problemResponse('NOT_FOUND: none, or not yours');
  if (hasBody) responses['413'] ??= problemResponse('PAYLOAD_TOO_LARGE: bodies are at most 64 KiB');
  if (hasBody) responses['415'] ??= problemResponse('UNSUPPORTED_MEDIA_TYPE: a body of a type not listed here');
  responses['429'] ??= problemResponse('RATE_LIMITED: slow down, see Retry-After');
  return {
    ...operation,
    tags: (operation.tags as string[] | undefined)?.length ? operation.tags : [service],
    security: access === 'public' ? [] : [{ bearerAuth: [] }],
    'x-access': access,
    responses,
  };
}

/** asProblem: a refusal a service declared goes out as `application/problem+json`, whatever its own document said. */
function asProblem(status: string, response: unknown): unknown {
  const content = (response as Json | undefined)?.content as Json | undefined;
  if (!(Number(status) >= 400) || !content?.['application/json'] || content['application/problem+json'])
    return response;
  const { 'application/json': media, ...others } = content;
  return { ...(response as Json), content: { 'application/problem+json': media, ...others } };
}

/**
 * renameComponents moves a service's components into the merged set; a name another service already uses for a
 * different definition becomes `<service>_<name>`, and the service's references follow it.
 */
function renameComponents(service: ServiceName, doc: Json, into: Record<string, Json>): Json {
  const renames = new Map<string, string>();
  const sections = (doc.components as Record<string, Json> | undefined) ?? {};
  for (const [section, entries] of Object.entries(sections)) {
    if (section === 'securitySchemes') continue;
    for (const [name, definition] of Object.entries(entries ?? {})) {
      const existing = into[section]?.[name];
      if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(definition))
        renames.set(`#/components/${section}/${name}`, `#/components/${section}/${service}_${name}`);
    }
  }
  const source = renames.size ? (rewriteRefs(doc, renames) as Json) : doc;
  for (const [section, entries] of Object.entries((source.components as Record<string, Json> | undefined) ?? {})) {
    if (section === 'securitySchemes') continue;
    into[section] ??= {};
    for (const [name, definition] of Object.entries(entries ?? {})) {
      const target = renames.has(`#/components/${section}/${name}`) ? `${service}_${name}` : name;
      into[section][target] = definition;
    }
  }
  return source;
}

function rewriteRefs(value: unknown, renames: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, renames));
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value))
    out[k] = k === '$ref' && typeof v === 'string' && renames.has(v) ? renames.get(v) : rewriteRefs(v, renames);
  return out;
}
