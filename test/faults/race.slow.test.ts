import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { sleep, waitUntil } from '../helpers/processes.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import { created, createdPerStory, PAGES, useFaultFixture, waitForAlerts } from './support.js';

// The same wire story on two outlets under two URLs; both pages answer after 1 s, so the two copies are
// being processed at the same time.
const fx = useFaultFixture('faults-race', () => ({
  wire: [{ path: '/wire/a/caracas-agreements', ...PAGES.caracas, delayMs: 1_000 }],
  copy: [{ path: '/copy/world/2023/06/12/raisi-caracas', ...PAGES.caracas, delayMs: 1_000 }],
}));

describe('several service processes on one Redis', () => {
  it('two processes racing on the same feeds and on two copies of one wire story: one story, one story.created', async () => {
    const configPath = await fx.config();
    const [a, b] = [fx.start(configPath), fx.start(configPath)];
    await waitForAlerts(fx.receiver, 1, 60_000);
    await waitUntil(() => fx.site.hits.has('/wire/a/caracas-agreements') && fx.site.hits.has('/copy/world/2023/06/12/raisi-caracas'), 20_000, 'both copies fetched');
    // Both processes were up; a second story.created, had there been one, would have come by now.
    await Promise.all([a, b].map((running) => running.waitForLog((line) => /scheduler started/.test(line.msg), 60_000)));
    await sleep(5_000);
    expect(created(fx.receiver.received)).toHaveLength(1);
    expect([...createdPerStory(fx.receiver.received).values()]).toEqual([1]);
    // Each URL was claimed by one process only.
    expect(fx.site.hits.get('/wire/a/caracas-agreements')).toBe(1);
    expect(fx.site.hits.get('/copy/world/2023/06/12/raisi-caracas')).toBe(1);
    expect(a.child.exitCode).toBeNull();
    expect(b.child.exitCode).toBeNull();
  }, 150_000);

  it('two --role scheduler processes (and one worker) enqueue each tick of a 2 s schedule once', async () => {
    const configPath = await fx.config({ outlets: ['wire'], schedule: '*/2 * * * * *' });
    fx.start(configPath, 'worker');
    const schedulers = [fx.start(configPath, 'scheduler'), fx.start(configPath, 'scheduler')];
    await Promise.all(schedulers.map((running) => running.waitForLog((line) => /scheduler started/.test(line.msg), 60_000)));
    const from = Date.now();
    await sleep(10_000);
    for (const running of schedulers) running.signal('SIGTERM');
    expect(await Promise.all(schedulers.map((running) => running.exited))).toEqual([0, 0]);
    const until = Date.now();

    const redis = new Redis(TEST_REDIS_URL);
    try {
      const ids = (await redis.keys(`${fx.prefix}:discover:wire@*`)).map((key) => key.slice(`${fx.prefix}:discover:`.length)).filter((id) => /^wire@\d{8}T\d{6}Z$/.test(id));
      // Let the worker finish what was enqueued, then compare polls with jobs.
      await waitUntil(async () => (await redis.zcard(`${fx.prefix}:discover:completed`)) >= ids.length, 20_000, 'discover jobs completed');
      const tickIds = ids.filter((id) => Number(id.slice(-3, -1)) % 2 === 0);
      const slots = Math.floor((until - from) / 2_000);
      expect(tickIds.length).toBeGreaterThanOrEqual(slots - 1);
      // Two schedulers, each firing on every slot: still one job, so one feed request, per slot (plus the
      // start-up poll of each scheduler).
      expect(ids.length).toBeLessThanOrEqual(slots + 1 + 2 + 2);
      // At most one feed request per job (discover may skip a poll right after another one), and the ticks
      // were really polled.
      const polls = fx.site.hits.get('/wire/feed') ?? 0;
      expect(polls).toBeLessThanOrEqual(ids.length);
      expect(polls).toBeGreaterThanOrEqual(slots - 2);
    } finally {
      redis.disconnect();
    }
  }, 150_000);
});
