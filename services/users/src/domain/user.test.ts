import { describe, expect, it } from 'vitest';
import { inWords, lockedOut } from './user.ts';

describe('a locked-out login', () => {
  it('says how long to wait in words a person reads, rounded up', () => {
    expect(inWords(1)).toBe('1 second');
    expect(inWords(45)).toBe('45 seconds');
    expect(inWords(60)).toBe('1 minute');
    expect(inWords(299)).toBe('5 minutes');
    expect(inWords(300)).toBe('5 minutes');
    expect(inWords(7200)).toBe('2 hours');
  });

  it('is RATE_LIMITED with its wait in Retry-After and in its detail', () => {
    const err = lockedOut(300);
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.status).toBe(429);
    expect(err.extra.retryAfter).toBe(300);
    expect(err.message).toContain('5 minutes');
  });
});
