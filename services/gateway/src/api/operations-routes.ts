// What operators and readers need: liveness, readiness of every upstream, metrics, the merged API document and its page.
import { AppError } from '@bazaar/kit/server';
import type { Registry } from 'prom-client';
import type { OpenApiDocument } from '../domain/openapi.ts';
import type { ServiceName } from '../domain/routes.ts';
import { docsAssets, docsPage } from './docs-page.ts';
import { type Edge, sendProblem } from './edge-server.ts';
import { PAGE_HEADERS } from './mounts.ts';

export type OperationsDeps = {
  registry: Registry;
  /** Answers the services with no ready replica. */
  notReady: () => Promise<ServiceName[]>;
  apiDocument: () => Promise<OpenApiDocument>;
};

export function operationsRoutes(app: Edge, deps: OperationsDeps): void {
  app.get('/healthz', async () => ({ status: 'ok', service: 'gateway' }));

  app.get('/readyz', async (req, reply) => {
    const failing = await deps.notReady();
    if (failing.length === 0) return { status: 'ready', service: 'gateway' };
    const error = new AppError('NOT_READY', 503, `Not ready: ${failing.join(', ')}.`, {
      failing: Object.fromEntries(failing.map((name) => [name, 'no replica is ready'])),
    });
    return sendProblem(req, reply, error);
  });

  app.get('/metrics', async (_req, reply) => {
    reply.type(deps.registry.contentType);
    return deps.registry.metrics();
  });

  app.get('/openapi.json', async () => deps.apiDocument());

  // The page under the storefront's strict policy; its style and script, named by their content, keep for a year.
  app.get('/docs', async (_req, reply) => reply.headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(docsPage));
  for (const asset of docsAssets)
    app.get(asset.path, async (_req, reply) =>
      reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .type(asset.type)
        .send(asset.body),
    );
}
