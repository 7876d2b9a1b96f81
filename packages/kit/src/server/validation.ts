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

/** fieldErrors turns ajv's errors into the `{ path, message }` list of a 400 problem. */
export function fieldErrors(errors: ErrorObject[], part: string | undefined): FieldError[] {
  const root = part === 'body' || !part ? '' : `${part}`;
  return errors.map((e) => {
    const base = [root, ...e.instancePath.split('/').filter(Boolean)].filter(Boolean).join('.');
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required') return { path: join(base, String(params.missingProperty)), message: 'is required' };
    if (e.keyword === 'additionalProperties')
      return { path: join(base, String(params.additionalProperty)), message: 'is not an allowed field' };
    return { path: base || '(body)', message: e.message ?? 'is not valid' };
  });
}

const join = (a: string, b: string) => (a ? `${a}.${b}` : b);
