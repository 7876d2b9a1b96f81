import { Ajv } from 'ajv';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { fieldErrors } from './validation.ts';

const errorsOf = (schema: object, value: unknown) => {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  validate(value);
  return fieldErrors(validate.errors ?? [], 'body');
};

describe('fieldErrors', () => {
  it('names the allowed values of a union of literals once, not once per branch', () => {
    const schema = Type.Object({
      payment: Type.Object({ method: Type.Union([Type.Literal('jazzcash'), Type.Literal('cod')]) }),
    });
    expect(errorsOf(schema, { payment: { method: 'visa' } })).toEqual([
      { path: 'payment.method', message: 'must be one of: "jazzcash", "cod"' },
    ]);
  });

  it('names the allowed values of an enum', () => {
    expect(errorsOf(Type.Object({ role: Type.Enum(['customer', 'admin']) }), { role: 'root' })).toEqual([
      { path: 'role', message: 'must be one of: "customer", "admin"' },
    ]);
  });

  it('gives each field its own line: missing, unknown and mistyped', () => {
    const schema = Type.Object({ name: Type.String(), age: Type.Integer() }, { additionalProperties: false });
    expect(errorsOf(schema, { age: 'x', extra: 1 })).toEqual([
      { path: 'name', message: 'is required' },
      { path: 'extra', message: 'is not an allowed field' },
      { path: 'age', message: 'must be integer' },
    ]);
  });

  it('says a blank text is blank and an empty edit names no field, in words instead of the schema keyword', () => {
    const schema = Type.Object({ name: Type.Optional(Type.String({ pattern: '\\S' })) }, { minProperties: 1 });
    expect(errorsOf(schema, {})).toEqual([{ path: '(body)', message: 'must name at least one field' }]);
    expect(errorsOf(schema, { name: '   ' })).toEqual([{ path: 'name', message: 'must not be blank' }]);
  });

  it("says what is wrong with a value that may also be null, not that it is not null nor that 'anyOf' failed", () => {
    const schema = Type.Object({ city: Type.Union([Type.String({ minLength: 1 }), Type.Null()]) });
    expect(errorsOf(schema, { city: '' })).toEqual([
      { path: 'city', message: 'must NOT have fewer than 1 characters' },
    ]);
    expect(errorsOf(schema, { city: 5 })).toEqual([{ path: 'city', message: 'must be string' }]);
  });
});
