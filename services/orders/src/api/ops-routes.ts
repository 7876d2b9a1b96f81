// What the operations console asks orders about its sagas; the gateway gathers it under /api/ops (admins only).
import type { App } from '@bazaar/kit/server';
import type { Deps } from '../use-cases/saga-deps.ts';
import { sagaOverview } from '../use-cases/saga-overview.ts';

export function opsRoutes(app: App, deps: Pick<Deps, 'db'>): void {
  // Behind the internal key like every route here; no caller role: the gateway has checked the admin.
  app.get('/internal/ops/sagas', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    sagaOverview(deps.db),
  );
}
