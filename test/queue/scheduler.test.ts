import { afterEach, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/config/schema.js';
import { createBullmqQueue } from '../../src/queue/bullmq-queue.js';
import { createMemoryQueue } from '../../src/queue/memory-queue.js';
import type { JobRequest, Queue } from '../../src/queue/queue.js';
import { Scheduler, discoverJobId } from '../../src/queue/scheduler.js';
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from '../helpers/redis.js';
import { TEST_POLICIES, silentLogger, sleep, waitFor } from './support.js';

function source(id: string, schedule: string, enabled = true): SourceConfig {
  return { id, name: id, feed: `https://${id}.example/rss.xml`, schedule, enabled, maxAgeDays: 3 };
}

/** Passes every add through to the real queue and keeps what was asked and answered. */
function recording(queue: Queue): { queue: Pick<Queue, 'add'>; adds: Array<{ request: JobRequest; added: boolean }> } {
  const adds: Array<{ request: JobRequest; added: boolean }> = [];
  return {
    adds,
    queue: {
      add: async (request) => {
        const added = await queue.add(request);
        adds.push({ request, added });
        return added;
      },
    },
  };
}

describe('discoverJobId', () => {
  it('truncates the tick to seconds for 6-field schedules and minutes for 5-field ones', () => {
    const tick = new Date('2026-11-23T15:04:05.678Z');
    expect(discoverJobId('telesur-en', tick, true)).toBe('telesur-en@20261123T150405Z');
    expect(discoverJobId('telesur-en', tick, false)).toBe('telesur-en@20261123T1504Z');
    expect(discoverJobId('telesur-en', new Date('2026-11-23T15:04:05.001Z'), true)).toBe('telesur-en@20261123T150405Z');
    expect(discoverJobId('telesur-en', new Date('2026-11-23T15:04:59.999Z'), false)).toBe('telesur-en@20261123T1504Z');
    expect(discoverJobId('telesur-en', new Date('2026-11-23T15:05:00.000Z'), false)).toBe('telesur-en@20261123T1505Z');
  });
});

describe('Scheduler', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('enqueues each tick once when two processes schedule the same source (BullMQ)', async () => {
    const prefix = uniquePrefix('sched');
    const queues = await Promise.all([1, 2].map(() => createBullmqQueue({ url: TEST_REDIS_URL, prefix, policies: TEST_POLICIES, logger: silentLogger })));
    cleanups.push(async () => {
      for (const queue of queues) await queue.close(0);
      await deletePrefix(prefix);
    });
    const recorders = queues.map(recording);
    const schedulers = recorders.map((recorder) => new Scheduler({ queue: recorder.queue, logger: silentLogger }));
    cleanups.push(() => schedulers.forEach((scheduler) => scheduler.stop()));
    for (const scheduler of schedulers) scheduler.setSources([source('almayadeen-es', '* * * * * *')]);

    await sleep(3_200);
    for (const scheduler of schedulers) scheduler.stop();
    await sleep(100);

    const adds = recorders.flatMap((recorder) => recorder.adds);
    const ticks = new Set(adds.map((add) => add.request.id));
    expect(ticks.size).toBeGreaterThanOrEqual(2);
    // Both processes fired for (nearly) every tick, yet each tick was added once.
    expect(adds.length).toBeGreaterThan(ticks.size);
    expect(adds.filter((add) => add.added)).toHaveLength(ticks.size);
    const counts = await queues[0]?.counts();
    expect(counts?.discover.waiting).toBe(ticks.size);
    for (const add of adds) {
      expect(add.request.data).toEqual({ sourceId: 'almayadeen-es', tick: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/) });
    }
  });

  it('stops the ticks of a source removed or disabled by setSources', async () => {
    const queue = createMemoryQueue({ policies: TEST_POLICIES });
    cleanups.push(() => queue.close(0));
    const recorder = recording(queue);
    const scheduler = new Scheduler({ queue: recorder.queue, logger: silentLogger });
    cleanups.push(() => scheduler.stop());
    const ticksOf = (id: string) => recorder.adds.filter((add) => add.request.id.startsWith(`${id}@`)).length;

    scheduler.setSources([source('prensa-latina', '* * * * * *'), source('hispantv', '* * * * * *'), source('paused-outlet', '* * * * * *', false)]);
    expect(scheduler.sourceCount()).toBe(2);
    expect(scheduler.running()).toBe(true);
    await waitFor(() => ticksOf('prensa-latina') >= 1 && ticksOf('hispantv') >= 1, 5_000, 'a tick of each source');

    scheduler.setSources([source('prensa-latina', '* * * * * *'), source('hispantv', '* * * * * *', false)]);
    expect(scheduler.sourceCount()).toBe(1);
    const hispantvBefore = ticksOf('hispantv');
    const prensaBefore = ticksOf('prensa-latina');
    await sleep(2_200);
    expect(ticksOf('hispantv')).toBe(hispantvBefore);
    expect(ticksOf('prensa-latina')).toBeGreaterThan(prensaBefore);
    expect(ticksOf('paused-outlet')).toBe(0);

    scheduler.stop();
    expect(scheduler.running()).toBe(false);
    const afterStop = recorder.adds.length;
    await sleep(1_200);
    expect(recorder.adds.length).toBe(afterStop);
  });

  it('runNow enqueues one discover job per source for the current slot', async () => {
    const queue = createMemoryQueue({ policies: TEST_POLICIES });
    cleanups.push(() => queue.close(0));
    const recorder = recording(queue);
    const now = Date.parse('2026-11-23T15:04:05.678Z');
    const scheduler = new Scheduler({ queue: recorder.queue, logger: silentLogger, now: () => now });
    cleanups.push(() => scheduler.stop());
    scheduler.setSources([source('irna-es', '*/5 * * * *'), source('telesur-en', '*/30 * * * * *')]);

    expect(await scheduler.runNow()).toBe(2);
    expect(recorder.adds.map((add) => add.request)).toEqual([
      { name: 'discover', id: 'irna-es@20261123T1504Z', data: { sourceId: 'irna-es', tick: '2026-11-23T15:04:00.000Z' } },
      { name: 'discover', id: 'telesur-en@20261123T150405Z', data: { sourceId: 'telesur-en', tick: '2026-11-23T15:04:05.000Z' } },
    ]);
    // The same slot again: nothing new.
    expect(await scheduler.runNow(['irna-es'])).toBe(0);
    await expect(scheduler.runNow(['no-such-source'])).rejects.toThrow('scheduler: no enabled source with id "no-such-source"');
    expect((await queue.counts()).discover.waiting).toBe(2);
  });
});
