// Typed configuration read once from the environment: every key names its variable, documents itself and has a default.

export type Setting<T> = { env: string; doc: string; default: T; parse: (raw: string) => T };

export class ConfigError extends Error {}

export const str = (env: string, doc: string, fallback: string): Setting<string> => ({
  env,
  doc,
  default: fallback,
  parse: (raw) => raw,
});

export const int = (env: string, doc: string, fallback: number): Setting<number> => ({
  env,
  doc,
  default: fallback,
  parse: (raw) => {
    const value = Number(raw);
    if (!Number.isInteger(value)) throw new ConfigError(`${env} must be an integer, got "${raw}"`);
    return value;
  },
});

export const bool = (env: string, doc: string, fallback: boolean): Setting<boolean> => ({
  env,
  doc,
  default: fallback,
  parse: (raw) => ['1', 'true', 'yes', 'on'].includes(raw.toLowerCase()),
});

export const optional = (env: string, doc: string): Setting<string | undefined> => ({
  env,
  doc,
  default: undefined,
  parse: (raw) => raw || undefined,
});

/** grpcPort: a service's gRPC port, unset by default: grpcPortOf then derives it from the HTTP port. */
export const grpcPort = (env: string, doc: string): Setting<number | undefined> => ({
  ...int(env, doc, 0),
  default: undefined,
});

/** grpcPortOf: the gRPC port set, else 1000 above the HTTP port, so two instances on one host never share one. */
export const grpcPortOf = (c: { port: number; grpcPort?: number }): number =>
  c.grpcPort ?? (c.port === 0 ? 0 : c.port + 1000);

type Values<S> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

/** readConfig turns a spec into values, taking each from `env` when set and failing fast on a malformed one. */
export function readConfig<S extends Record<string, Setting<unknown>>>(
  spec: S,
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Values<S>> = {},
): Values<S> {
  const values: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(spec)) {
    const raw = env[setting.env];
    values[key] =
      key in overrides
        ? (overrides as Record<string, unknown>)[key]
        : raw === undefined || raw === ''
          ? setting.default
          : setting.parse(raw);
  }
  return values as Values<S>;
}

/** describeConfig lists the settings for --help output and READMEs. */
export function describeConfig(spec: Record<string, Setting<unknown>>): string {
  return Object.values(spec)
    .map((s) => `  ${s.env.padEnd(30)} ${s.doc}${s.default === undefined ? '' : ` (default: ${String(s.default)})`}`)
    .join('\n');
}
