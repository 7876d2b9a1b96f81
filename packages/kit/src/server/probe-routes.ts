// The routes every service answers besides its own: liveness, readiness, metrics and its OpenAPI document; and, while
// it closes, a hint to keep-alive clients to go.
import type { App, ServerOptions } from './create-server.ts';
import { AppError, problemOf } from './errors.ts';

export function installProbeRoutes(app: App, options: ServerOptions): void {
  // While closing, answers tell keep-alive clients to go, so draining finishes with the last request.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  const exposed = { config: { exposed: true }, schema: { hide: true } };
  app.get('/healthz', exposed, async () => ({ status: 'ok', service: options.service }));
  app.get('/readyz', exposed, async (_req, reply) => {
    const failing: Record<string, string> = {};
    await Promise.all(
      Object.entries(options.readiness ?? {}).map(async ([name, check]) => {
        try {
          await check();
        } catch (err) {
          failing[name] = err instanceof Error ? err.message : String(err);
        }
      }),
    );
    if (Object.keys(failing).length === 0) return { status: 'ready', service: options.service };
    return reply
      .code(503)
      .type('application/problem+json')
      .send({
        ...problemOf(new AppError('NOT_READY', 503, `Not ready: ${Object.keys(failing).join(', ')}.`)),
        failing,
      });
  });
  app.get('/metrics', exposed, async (_req, reply) => {
    reply.type(options.registry.contentType);
    return options.registry.metrics();
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
