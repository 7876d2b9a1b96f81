// The merged OpenAPI document, built from the services' own and kept; rebuilt soon when a service was missing.
import { getJsonFromAny, type Upstream } from '../clients/upstreams.ts';
import { mergeOpenApi, type OpenApiDocument } from '../domain/openapi.ts';
import { type ServiceName, serviceNames } from '../domain/routes.ts';

export type CatalogueOptions = {
  internalKey: string;
  timeoutMs: number;
  /** A complete document is rebuilt after this long, so redeployed services show their new operations. */
  keepMs?: number;
  /** A document missing a service is rebuilt after this long. */
  retryMs?: number;
  now?: () => number;
  /** Told each document built, and the services it lacks (unreachable then). */
  onBuilt?: (doc: OpenApiDocument, missing: ServiceName[]) => void;
};

export function apiCatalogue(
  upstreams: Record<ServiceName, Upstream>,
  options: CatalogueOptions,
): () => Promise<OpenApiDocument> {
  const { internalKey, timeoutMs, keepMs = 300_000, retryMs = 5_000, now = Date.now } = options;
  let kept: { doc: OpenApiDocument; expiresAt: number } | undefined;
  let building: Promise<OpenApiDocument> | undefined;

  async function build(): Promise<OpenApiDocument> {
    const fetched = await Promise.all(
      serviceNames.map(async (service) => {
        try {
          return { service, doc: await getJsonFromAny(upstreams[service], '/openapi.json', internalKey, timeoutMs) };
        } catch {
          return { service, doc: undefined };
        }
      }),
    );
    const missing = fetched.filter((f) => f.doc === undefined).map((f) => f.service);
    const doc = mergeOpenApi(
      fetched.filter((f) => f.doc !== undefined),
      missing,
    );
    kept = { doc, expiresAt: now() + (missing.length ? retryMs : keepMs) };
    options.onBuilt?.(doc, missing);
    return doc;
  }

  return async () => {
    if (kept && kept.expiresAt > now()) return kept.doc;
    building ??= build().finally(() => {
      building = undefined;
    });
    return building;
  };
}
