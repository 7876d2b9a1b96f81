// Schema validation: strict for bodies (no coercion, unknown fields refused), coercing for query strings and params.
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import type { FieldError } from './errors.ts';

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    removeAdditional: false,
    useDefaults: true,
    coerceTypes: coerce,
    strict: false,
  });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv;
}

// One pair for the process: building an Ajv compiles its meta-schema, tens of milliseconds per pair (more on a busy
// machine), and embedded mode runs every service's server in one process.
let validators: { strict: Ajv; coercing: Ajv } | undefined;

export function installValidators(app: FastifyInstance): void {
  validators ??= { strict: makeAjv(false), coercing: makeAjv(true) };
  const { strict, coercing } = validators;
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));
}

/**
 * fieldErrors turns ajv's errors into the `{ path, message }` list of a 400 problem, one entry per field and message.
 * A choice of constants (an enum, or a union of literals, which ajv reports as one error per branch and one for the
 * union) reads as one line that names the allowed values.
 */
export function fieldErrors(errors: ErrorObject[], part: string | undefined): FieldError[] {
  const root = part === 'body' || !part ? '' : `${part}`;
  const choices = new Map<string, unknown[]>();
  for (const e of errors)
    if (e.keyword === 'const')
      choices.set(e.instancePath, [...(choices.get(e.instancePath) ?? []), e.params.allowedValue]);
  const fieldError = (e: ErrorObject): FieldError => {
    const base = [root, ...e.instancePath.split('/').filter(Boolean)].filter(Boolean).join('.');
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required') return { path: join(base, String(params.missingProperty)), message: 'is required' };
    if (e.keyword === 'additionalProperties')
      return { path: join(base, String(params.additionalProperty)), message: 'is not an allowed field' };
    const path = base || '(body)';
    if (e.keyword === 'enum') return { path, message: oneOf(params.allowedValues as unknown[]) };
    if (e.keyword === 'minProperties' && params.limit === 1) return { path, message: 'must name at least one field' };
    if (e.keyword === 'pattern' && params.pattern === '\\S') return { path, message: 'must not be blank' };
    const choice = choices.get(e.instancePath) ?? [];
    if ((e.keyword === 'const' || e.keyword === 'anyOf') && choice.length > 1) return { path, message: oneOf(choice) };
    return { path, message: e.message ?? 'is not valid' };
  };
  // A value that may also be null: its own fault is what to tell, not 'must be null' nor the anyOf that joins the two.
  const joint = (e: ErrorObject) =>
    (e.keyword === 'type' && (e.params as { type?: string }).type === 'null') ||
    (e.keyword === 'anyOf' && !choices.has(e.instancePath));
  const faulted = new Set(errors.filter((e) => !joint(e)).map((e) => e.instancePath));
  const told = errors.filter((e) => !joint(e) || !faulted.has(e.instancePath));
  const out = new Map<string, FieldError>();
  for (const error of told.map(fieldError)) out.set(`${error.path}\n${error.message}`, error);
  return [...out.values()];
}

const oneOf = (values: unknown[]) => `must be one of: ${values.map((v) => JSON.stringify(v)).join(', ')}`;

const join = (a: string, b: string) => (a ? `${a}.${b}` : b);
