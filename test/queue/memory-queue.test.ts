import { describe, expect, it } from 'vitest';
import { TransientError } from '../../src/errors.js';
import { createMemoryQueue } from '../../src/queue/memory-queue.js';
import { TEST_POLICIES, discover, handlers, sleep, silentLogger } from './support.js';

describe('MemoryQueue', () => {
  it('forgets the oldest finished ids beyond maxRemembered', async () => {
    const queue = createMemoryQueue({ policies: TEST_POLICIES, logger: silentLogger, maxRemembered: 2 });
    const runs: string[] = [];
    queue.start(handlers({ discover: async (data) => (runs.push(data.sourceId), []) }), { concurrency: { discover: 1, article: 1, alert: 1 } });
    for (const id of ['a', 'b', 'c']) await queue.add(discover(id));
    await queue.drained();
    // 'a' was pushed out by 'b' and 'c'; those two still dedupe.
    expect(await queue.add(discover('a'))).toBe(true);
    expect(await queue.add(discover('c'))).toBe(false);
    await queue.drained();
    expect(runs).toEqual(['a', 'b', 'c', 'a']);
    await queue.close(0);
  });

  it('drops waiting and delayed jobs at close, and refuses adds afterwards', async () => {
    const queue = createMemoryQueue({ policies: TEST_POLICIES, logger: silentLogger });
    await queue.add(discover('waiting'));
    await queue.add(discover('delayed', 50));
    expect(await queue.counts()).toMatchObject({ discover: { waiting: 1, delayed: 1, active: 0 } });
    await queue.close(0);
    expect(await queue.counts()).toMatchObject({ discover: { waiting: 0, delayed: 0, active: 0 } });
    await expect(queue.add(discover('late'))).rejects.toThrow('queue: closed');
    // The delayed job's timer was cleared: it never comes back as waiting.
    await sleep(80);
    expect(await queue.counts()).toMatchObject({ discover: { waiting: 0, delayed: 0, active: 0 } });
    await expect(queue.drained()).resolves.toBeUndefined();
  });

  it('keeps drained() pending while jobs wait for start()', async () => {
    const queue = createMemoryQueue({ policies: TEST_POLICIES, logger: silentLogger });
    await queue.add(discover('early'));
    let drained = false;
    const waiting = queue.drained().then(() => (drained = true));
    await sleep(30);
    expect(drained).toBe(false);
    queue.start(handlers({}), { concurrency: { discover: 1, article: 1, alert: 1 } });
    await waiting;
    expect(drained).toBe(true);
    await queue.close(0);
  });

  it('keeps undelivered alerts as failed at close; discover and article jobs are left to the next poll', async () => {
    const queue = createMemoryQueue({ policies: TEST_POLICIES, logger: silentLogger });
    const failed: Array<{ name: string; id: string; message: string }> = [];
    let attempts = 0;
    queue.start(
      handlers({
        alert: async () => {
          attempts += 1;
          throw new TransientError('alert: HTTP 503 (webhook w)', { retryAfterMs: 60_000 });
        },
      }),
      { concurrency: { discover: 1, article: 1, alert: 1 }, onFailed: (name, _data, err, ctx) => void failed.push({ name, id: ctx.id, message: err.message }) },
    );
    await queue.add({ name: 'alert', id: 'alert-1', data: { webhookId: 'w', storyId: 'st_1', event: 'story.created', alertId: 'msg_1', body: '{}' } });
    await queue.add(discover('pending', 60_000));
    while (attempts === 0) await sleep(5);
    await sleep(20);
    await queue.close(0);
    expect(failed).toEqual([{ name: 'alert', id: 'alert-1', message: 'queue: shut down before delivery' }]);
  });
});
