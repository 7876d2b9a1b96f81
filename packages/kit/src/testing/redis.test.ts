import { afterEach, describe, expect, it, vi } from 'vitest';
import { redisOrSkip } from './redis.ts';

describe('redisOrSkip', () => {
  const ci = process.env.CI;
  afterEach(() => {
    // Assigning undefined to process.env would store the string 'undefined'.
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
    vi.restoreAllMocks();
  });

  it('skips a Redis nobody serves, with the reason', async () => {
    process.env.CI = 'false';
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await redisOrSkip('redis://127.0.0.1:1')).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('127.0.0.1:1'));
  });

  it('fails on CI instead of skipping', async () => {
    process.env.CI = 'true';
    await expect(redisOrSkip('redis://127.0.0.1:1')).rejects.toThrow(/CI requires it/);
  });
});
