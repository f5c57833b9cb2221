import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/processes.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import { created, createdPerStory, PAGES, useFaultFixture, waitForAlerts } from './support.js';

/**
 * Lock duration and stalled-job check of the service processes (env DIPLOWATCH_STALLED_INTERVAL_MS): a killed
 * worker's job runs again after 3–6 s instead of BullMQ's default 30–60 s.
 */
const STALLED_MS = 3_000;
const env = { DIPLOWATCH_STALLED_INTERVAL_MS: String(STALLED_MS) };
const ARTICLE = '/wire/americas/iran-venezuela-agreements';

const fx = useFaultFixture('faults-crash', () => ({ wire: [{ path: ARTICLE, ...PAGES.caracas, delayMs: 5_000 }] }));

/** Waits until BullMQ counts `count` completed jobs of this kind under the test's prefix. */
async function completed(name: 'article' | 'alert', count: number): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    await waitUntil(async () => (await redis.zcard(`${fx.prefix}:${name}:completed`)) >= count, 60_000, `${count} completed ${name} job(s)`);
  } finally {
    redis.disconnect();
  }
}

describe('a worker process killed mid-job', () => {
  it('SIGKILL while an article is being fetched: a second worker picks the job up after the stall interval; one alert', async () => {
    const configPath = await fx.config();
    const first = fx.start(configPath, 'all', env);
    // The article page answers only after 5 s; the process is killed while it waits for it.
    fx.site.onRequest((path) => {
      if (path === ARTICLE && fx.site.hits.get(ARTICLE) === 1) first.signal('SIGKILL');
    });
    expect(await first.exited).toBe('SIGKILL');
    expect(fx.receiver.received).toHaveLength(0);

    fx.site.setDelay(ARTICLE, 0);
    fx.start(configPath, 'worker', env);
    await waitForAlerts(fx.receiver, 1, 60_000);
    await completed('alert', 1);
    await completed('article', 1);
    expect(created(fx.receiver.received)).toHaveLength(1);
    expect([...createdPerStory(fx.receiver.received).values()]).toEqual([1]);
    // Fetched by the killed process, then once more by the second one.
    expect(fx.site.hits.get(ARTICLE)).toBe(2);
  }, 150_000);

  it('SIGKILL right after the webhook answered 2xx: redelivered at most once more, same webhook-id and body', async () => {
    fx.site.setDelay(ARTICLE, 0);
    const configPath = await fx.config();
    const first = fx.start(configPath, 'all', env);
    // The receiver has answered when its listeners run; the worker dies before it can acknowledge the job.
    fx.receiver.onAlert(() => first.signal('SIGKILL'));
    expect(await first.exited).toBe('SIGKILL');
    expect(fx.receiver.received).toHaveLength(1);

    fx.start(configPath, 'worker', env);
    // The stalled job runs again after one or two stall intervals, and is acknowledged this time.
    await completed('alert', 1);
    const deliveries = fx.receiver.received;
    expect(deliveries.length).toBeGreaterThanOrEqual(1);
    expect(deliveries.length).toBeLessThanOrEqual(2);
    expect(deliveries.every((alert) => alert.signatureValid)).toBe(true);
    expect(new Set(deliveries.map((alert) => alert.id)).size).toBe(1);
    expect(new Set(deliveries.map((alert) => alert.body)).size).toBe(1);
  }, 150_000);
});
