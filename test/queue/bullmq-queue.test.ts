import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createBullmqQueue, type BullmqQueue } from '../../src/queue/bullmq-queue.js';
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from '../helpers/redis.js';
import { startRedisServer } from '../store/redis-server.js';
import { TEST_POLICIES, article, discover, handlers, silentLogger, sleep, waitFor } from './support.js';


const CONCURRENCY = { discover: 1, article: 2, alert: 1 };

describe('BullmqQueue', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function open(url = TEST_REDIS_URL, prefix = uniquePrefix('bullq'), logger = silentLogger): Promise<BullmqQueue> {
    const queue = await createBullmqQueue({ url, prefix, policies: TEST_POLICIES, logger });
    cleanups.push(async () => {
      await queue.close(0);
      if (url === TEST_REDIS_URL) await deletePrefix(prefix);
    });
    return queue;
  }

  it('passes ids BullMQ would refuse through unchanged', async () => {
    const queue = await open();
    const seen: string[] = [];
    queue.start(handlers({ article: async (_data, ctx) => (seen.push(ctx.id), []) }), { concurrency: CONCURRENCY });
    expect(await queue.add(article('https:'))).toBe(true);
    expect(await queue.add(article('2023'))).toBe(true);
    expect(await queue.add(article('a:b:c:d'))).toBe(true);
    expect(await queue.add(article('a:b:c:d'))).toBe(false);
    await waitFor(() => seen.length === 3, 10_000, 'three jobs');
    expect(seen.sort()).toEqual(['2023', 'a:b:c:d', 'https:']);
  });

  it('shares jobs between two processes on one prefix', async () => {
    const prefix = uniquePrefix('bullq');
    const producer = await open(TEST_REDIS_URL, prefix);
    const consumer = await open(TEST_REDIS_URL, prefix);
    const seen: string[] = [];
    consumer.start(handlers({ discover: async (data) => (seen.push(data.sourceId), []) }), { concurrency: CONCURRENCY });
    expect(await producer.add(discover('presstv-es'))).toBe(true);
    expect(await consumer.add(discover('presstv-es'))).toBe(false);
    await waitFor(() => seen.length === 1, 10_000, 'the job');
    await producer.drained();
    expect(seen).toEqual(['presstv-es']);
  });

  it('keeps what a job returns while closing, for the next process', async () => {
    const prefix = uniquePrefix('bullq');
    const first = await open(TEST_REDIS_URL, prefix);
    let started = false;
    let articleRuns = 0;
    first.start(
      handlers({
        discover: async () => {
          started = true;
          await sleep(200);
          return [article('found-during-shutdown')];
        },
        article: async () => ((articleRuns += 1), []),
      }),
      { concurrency: CONCURRENCY },
    );
    await first.add(discover('telesur-es'));
    await waitFor(() => started, 10_000, 'the job to start');
    await first.close(5_000);
    const next = await open(TEST_REDIS_URL, prefix);
    // The article job was added during the grace period, and the closing process did not start it.
    expect(articleRuns).toBe(0);
    const counts = await next.counts();
    expect(counts.discover).toMatchObject({ waiting: 0, active: 0, delayed: 0 });
    expect(counts.article.waiting + counts.article.delayed).toBe(1);
  });

  describe('through a Redis outage', () => {
    it('logs the outage once, reconnects, and its workers take jobs again', async () => {
      const server = await startRedisServer();
      // Registered first, so it runs after the queue has closed.
      cleanups.push(() => server.dispose());
      const lines: string[] = [];
      const destination = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
          done();
        },
      });
      const queue = await open(server.url, 'dw', createLogger({ level: 'info', destination, pretty: false }));
      const seen: string[] = [];
      queue.start(handlers({ discover: async (data) => (seen.push(data.sourceId), []) }), { concurrency: CONCURRENCY });
      await queue.add(discover('before-outage'));
      await waitFor(() => seen.length === 1, 10_000, 'first job');

      await server.kill();
      await sleep(1_500);
      await server.restart();
      await waitFor(() => lines.some((line) => line.includes('redis: reconnected')), 20_000, 'reconnection');
      await queue.add(discover('after-outage'));
      await waitFor(() => seen.length === 2, 20_000, 'a job after the outage');

      const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(seen).toEqual(['before-outage', 'after-outage']);
      expect(messages.filter((msg) => msg === 'redis: connection lost')).toHaveLength(1);
      expect(messages.filter((msg) => msg === 'redis: reconnected')).toHaveLength(1);
    });

    it('still closes while Redis is down', async () => {
      const server = await startRedisServer();
      cleanups.push(() => server.dispose());
      const queue = await createBullmqQueue({ url: server.url, prefix: 'dw', policies: TEST_POLICIES, logger: silentLogger });
      queue.start(handlers({}), { concurrency: CONCURRENCY });
      await queue.add(discover('before-outage'));
      await queue.drained();
      await server.kill();
      await expect(queue.close(100)).resolves.toBeUndefined();
    });
  });
});
