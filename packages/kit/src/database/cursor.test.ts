import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor.ts';

const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('cursors', () => {
  it('give back the key they were made from', () => {
    const key = ['2026-01-02T03:04:05.678Z', 'ord_1'];
    expect(decodeCursor(encodeCursor(key), ['time', 'string'])).toEqual(key);
    expect(decodeCursor(encodeCursor(['LAWN-001']), ['string'])).toEqual(['LAWN-001']);
    expect(decodeCursor(undefined, ['string'])).toBeUndefined();
    expect(decodeCursor(encodeCursor(['42']), ['serial'])).toEqual(['42']);
  });

  it('refuse, as VALIDATION_FAILED, a key of another shape than the list issues (it would fail in SQL)', () => {
    const made = [
      '%%%',
      enc({ a: 1 }),
      enc(['x']),
      enc(['x', 'y']),
      enc([1, 'y']),
      enc(['2024-02-30T00:00:00.000Z', 'y']),
      enc(['2024-01-01', 'y']),
      enc(['2024-01-01T00:00:00.000Z', 'y', 'z']),
      enc(['2024-01-01T00:00:00.000Z', 'y\u0000']),
      enc(['2024-01-01T00:00:00.000Z', 'y'.repeat(201)]),
      enc([['nested'], 'y']),
    ];
    for (const cursor of made)
      expect(() => decodeCursor(cursor, ['time', 'string']), cursor).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED' }),
      );
    expect(() => decodeCursor(enc([null]), ['string'])).toThrow();
    for (const serial of ['x', '-1', '1.5', '1e3', '9'.repeat(19), ''])
      expect(() => decodeCursor(enc([serial]), ['serial']), serial).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED' }),
      );
  });
});
