import { afterEach, describe, expect, it, vi } from 'vitest';
import { brokerOrSkip } from './broker.ts';

describe('brokerOrSkip', () => {
  const ci = process.env.CI;
  afterEach(() => {
    // Assigning undefined to process.env would store the string 'undefined'.
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
    vi.restoreAllMocks();
  });

  it.each(['amqp://guest:guest@127.0.0.1:1', 'nats://127.0.0.1:1'])(
    'skips %s, which nobody serves, with the reason',
    async (url) => {
      process.env.CI = 'false';
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      expect(await brokerOrSkip(url)).toBeUndefined();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('127.0.0.1:1'));
    },
  );

  it('fails on CI instead of skipping', async () => {
    process.env.CI = 'true';
    await expect(brokerOrSkip('nats://127.0.0.1:1')).rejects.toThrow(/CI requires it/);
  });
});
