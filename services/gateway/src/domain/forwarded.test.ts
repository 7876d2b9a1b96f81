import { describe, expect, it } from 'vitest';
import { lastForwarded } from './forwarded.ts';

describe('lastForwarded', () => {
  it('takes the entry the load balancer appended, not one the client wrote in front of it', () => {
    expect(lastForwarded('10.9.0.1, 203.0.113.7')).toBe('203.0.113.7');
    expect(lastForwarded(['10.9.0.1', '198.51.100.4'])).toBe('198.51.100.4');
    expect(lastForwarded(' 203.0.113.7 ')).toBe('203.0.113.7');
  });

  it('answers undefined for a missing or empty header, or an empty last entry', () => {
    expect(lastForwarded(undefined)).toBeUndefined();
    expect(lastForwarded('')).toBeUndefined();
    expect(lastForwarded('203.0.113.7, ')).toBeUndefined();
  });
});
