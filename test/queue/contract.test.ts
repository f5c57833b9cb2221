import { afterEach, describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../src/errors.js';
import type { JobContext, JobName } from '../../src/queue/queue.js';
import { article, discover, handlers, queueFactories, sleep, waitFor, type QueueUnderTest } from './support.js';

const CONCURRENCY = { discover: 2, article: 2, alert: 2 };

describe.each(queueFactories)('Queue contract: $kind', ({ make }) => {
  let current: QueueUnderTest | undefined;
  const open = async (...args: Parameters<typeof make>) => {
    current = await make(...args);
    return current.queue;
  };
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });

  it('adds a job once per id and remembers ids of finished jobs', async () => {
    const queue = await open();
    expect(await queue.add(discover('prensa-latina'))).toBe(true);
    expect(await queue.add(discover('prensa-latina'))).toBe(false);
    // Ids are per kind: an article job may share an id with a discover job.
    expect(await queue.add(article('prensa-latina'))).toBe(true);
    expect((await queue.counts()).discover.waiting).toBe(1);

    const seen: string[] = [];
    queue.start(handlers({ discover: async (data) => (seen.push(data.sourceId), []) }), { concurrency: CONCURRENCY });
    await queue.drained();
    expect(seen).toEqual(['prensa-latina']);
    expect(await queue.add(discover('prensa-latina'))).toBe(false);
    await queue.drained();
    expect(seen).toEqual(['prensa-latina']);
  });

  it('gives exactly one true to 20 concurrent adds of one id', async () => {
    const queue = await open();
    const results = await Promise.all(Array.from({ length: 20 }, () => queue.add(article('same-url'))));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("enqueues the handler's returned requests, deduped by id", async () => {
    const queue = await open();
    const articles: string[] = [];
    queue.start(
      handlers({
        discover: async () => [article('raisi-caracas'), article('raisi-managua'), article('raisi-caracas')],
        article: async (data) => (articles.push(data.urlKey), []),
      }),
      { concurrency: CONCURRENCY },
    );
    await queue.add(discover('hispantv'));
    await waitFor(() => articles.length >= 2, 10_000, 'two article jobs');
    await queue.drained();
    expect(articles.sort()).toEqual(['https://news.example/raisi-caracas', 'https://news.example/raisi-managua']);
  });

  it('retries with backoff and tells the handler which attempt it runs', async () => {
    const queue = await open();
    const attempts: JobContext[] = [];
    const failures: string[] = [];
    queue.start(
      handlers({
        article: async (_data, ctx) => {
          attempts.push(ctx);
          if (ctx.attempt < 3) throw new Error('fetch: connection reset (https://news.example/x)');
          return [];
        },
      }),
      { concurrency: CONCURRENCY, onFailed: (_name, _data, err) => void failures.push(err.message) },
    );
    await queue.add(article('flaky'));
    await waitFor(() => attempts.length === 3, 10_000, 'three attempts');
    await queue.drained();
    expect(attempts.map((ctx) => [ctx.attempt, ctx.maxAttempts, ctx.id])).toEqual([
      [1, 3, 'flaky'],
      [2, 3, 'flaky'],
      [3, 3, 'flaky'],
    ]);
    expect(failures).toEqual([]);
    expect((await queue.counts()).article.failed).toBe(0);
  });

  it('calls onFailed once when attempts run out', async () => {
    const queue = await open();
    let calls = 0;
    const failed: Array<{ name: JobName; message: string; attempt: number }> = [];
    queue.start(
      handlers({
        alert: async () => {
          calls += 1;
          throw new Error('alert: webhook answered 503');
        },
      }),
      { concurrency: CONCURRENCY, onFailed: (name, _data, err, ctx) => void failed.push({ name, message: err.message, attempt: ctx.attempt }) },
    );
    await queue.add({ name: 'alert', id: 'story-1:story.created:ops', data: { webhookId: 'ops', storyId: 'story-1', event: 'story.created', alertId: 'msg_1', body: '{}' } });
    await waitFor(() => failed.length === 1, 10_000, 'onFailed');
    await queue.drained();
    await sleep(50);
    expect(calls).toBe(4);
    expect(failed).toEqual([{ name: 'alert', message: 'alert: webhook answered 503', attempt: 4 }]);
    expect((await queue.counts()).alert.failed).toBe(1);
  });

  it('does not retry a PermanentError and reports it once', async () => {
    const queue = await open();
    let calls = 0;
    const failed: Error[] = [];
    queue.start(
      handlers({
        article: async () => {
          calls += 1;
          throw new PermanentError('fetch: 410 Gone (https://news.example/removed)');
        },
      }),
      { concurrency: CONCURRENCY, onFailed: (_name, data, err) => void failed.push(err) },
    );
    await queue.add(article('removed'));
    await waitFor(() => failed.length === 1, 10_000, 'onFailed');
    await queue.drained();
    await sleep(50);
    expect(calls).toBe(1);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toBeInstanceOf(PermanentError);
    expect(failed[0]?.message).toBe('fetch: 410 Gone (https://news.example/removed)');
  });

  it("waits at least a TransientError's retryAfterMs before the next attempt", async () => {
    const queue = await open();
    const thrownAt: number[] = [];
    const startedAt: number[] = [];
    queue.start(
      handlers({
        article: async (_data, ctx) => {
          startedAt.push(Date.now());
          if (ctx.attempt === 1) {
            thrownAt.push(Date.now());
            throw new TransientError('fetch: 429 Too Many Requests', { retryAfterMs: 300 });
          }
          return [];
        },
      }),
      { concurrency: CONCURRENCY },
    );
    await queue.add(article('rate-limited'));
    await waitFor(() => startedAt.length === 2, 10_000, 'second attempt');
    const waited = (startedAt[1] as number) - (thrownAt[0] as number);
    // Timers may fire up to a millisecond or two early against Date.now(); backoff alone would be ~10 ms.
    expect(waited).toBeGreaterThanOrEqual(295);
  });

  it('runs no more jobs of a kind at once than its concurrency', async () => {
    const queue = await open();
    let inFlight = 0;
    let maxInFlight = 0;
    let done = 0;
    queue.start(
      handlers({
        discover: async () => {
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await sleep(40);
          inFlight -= 1;
          done += 1;
          return [];
        },
      }),
      { concurrency: { discover: 3, article: 1, alert: 1 } },
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => queue.add(discover(`source-${i}`))));
    await waitFor(() => done === 10, 15_000, 'ten jobs');
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(maxInFlight).toBeGreaterThan(1);
  });

  it('drained() waits for delayed and chained jobs', async () => {
    const queue = await open();
    const finished: string[] = [];
    queue.start(
      handlers({
        discover: async (data) => (finished.push(data.sourceId), [article(`from-${data.sourceId}`)]),
        article: async (data) => (finished.push(data.urlKey), []),
      }),
      { concurrency: CONCURRENCY },
    );
    await queue.add(discover('irna-es', 200));
    await queue.drained();
    expect(finished).toEqual(['irna-es', 'https://news.example/from-irna-es']);
    const counts = await queue.counts();
    expect(counts.discover).toMatchObject({ waiting: 0, active: 0, delayed: 0 });
    expect(counts.article).toMatchObject({ waiting: 0, active: 0, delayed: 0 });
  });

  it('close(grace) lets a running job finish and starts no new one', async () => {
    const queue = await open();
    const started: string[] = [];
    const finished: string[] = [];
    queue.start(
      handlers({
        discover: async (data) => {
          started.push(data.sourceId);
          await sleep(300);
          finished.push(data.sourceId);
          return [];
        },
      }),
      { concurrency: { discover: 1, article: 1, alert: 1 } },
    );
    await queue.add(discover('first'));
    await queue.add(discover('second'));
    await waitFor(() => started.length === 1, 10_000, 'first job to start');
    await queue.close(5_000);
    expect(finished).toEqual(['first']);
    await sleep(100);
    expect(started).toEqual(['first']);
  });

  it('close(grace) aborts a job that outlives the grace period', async () => {
    const queue = await open();
    let signal: AbortSignal | undefined;
    queue.start(
      handlers({
        discover: async (_data, ctx) => {
          signal = ctx.signal;
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
          return [];
        },
      }),
      { concurrency: CONCURRENCY },
    );
    await queue.add(discover('slow-outlet'));
    await waitFor(() => signal !== undefined, 10_000, 'job to start');
    expect(signal?.aborted).toBe(false);
    await queue.close(100);
    expect(signal?.aborted).toBe(true);
  });
});
