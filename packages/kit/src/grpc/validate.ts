// Requests that arrive over gRPC meet the same JSON schemas as over REST: protobuf checks types, not rules.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { validationFailed } from '../server/errors.ts';
import { fieldErrors } from '../server/validation.ts';

const ajv = new Ajv({ allErrors: true, removeAdditional: false, useDefaults: true, coerceTypes: false, strict: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const compiled = new WeakMap<object, ValidateFunction>();

/** checkMessage throws VALIDATION_FAILED, with the field errors, unless value matches schema. */
export function checkMessage<T>(schema: object, value: unknown): T {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (!validate(value)) throw validationFailed(fieldErrors(validate.errors ?? [], 'body'));
  return value as T;
}
