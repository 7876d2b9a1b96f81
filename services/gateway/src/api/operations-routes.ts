// What operators and readers need: liveness, readiness of every upstream, metrics, the merged API document and its page.
import { AppError } from '@bazaar/kit/server';
import type { Registry } from 'prom-client';
import type { OpenApiDocument } from '../domain/openapi.ts';
import type { ServiceName } from '../domain/routes.ts';
import { docsPage } from './docs-page.ts';
import { type Edge, sendProblem } from './edge-server.ts';

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

  app.get('/docs', async (_req, reply) => reply.type('text/html; charset=utf-8').send(docsPage));
}
