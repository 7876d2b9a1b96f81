import { describe, expect, it } from 'vitest';
import { AppError, problemOf } from './errors.ts';

describe('problemOf', () => {
  it.each([
    [408, 'Request Timeout'],
    [413, 'Content Too Large'],
    [431, 'Request Header Fields Too Large'],
  ])('titles a %i problem with its HTTP reason, never a bare "Error"', (status, title) => {
    expect(problemOf(new AppError('X', status, 'x'), 'a'.repeat(32))).toMatchObject({ status, title });
  });
});
