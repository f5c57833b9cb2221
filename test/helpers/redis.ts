import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';

/** The Redis used by tests: TEST_REDIS_URL, or db 9 of the local Redis (kept apart from data in db 0). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/9';

/** A unique key prefix for one test, so files can run in parallel against one Redis. */
export function uniquePrefix(label: string): string {
  return `dwtest:${label}:${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under `prefix` (and BullMQ's `{prefix}` forms). */
export async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    for (const pattern of [`${prefix}*`, `{${prefix}}*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}
