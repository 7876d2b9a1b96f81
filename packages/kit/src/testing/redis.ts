// Tests that need a real Redis: on a laptop without one they skip with the reason; on CI it must be there.
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Resolves to the URL once Redis answers PING, or to undefined after printing why the suite skips. Throws on CI. */
export async function redisOrSkip(url: string = REDIS_URL): Promise<string | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => {}); // the failure is reported below, once
  try {
    await redis.connect();
    await redis.ping();
    return url;
  } catch (err) {
    const reason = `Redis at ${new URL(url).host} is unreachable (${(err as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${reason}; CI requires it`);
    console.warn(`skipping: ${reason}`);
    return undefined;
  } finally {
    redis.disconnect();
  }
}
