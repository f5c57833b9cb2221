import { createLogger, type Logger } from '../../src/log.js';
import { createBullmqQueue } from '../../src/queue/bullmq-queue.js';
import { createMemoryQueue } from '../../src/queue/memory-queue.js';
import type { JobHandler, JobHandlers, JobName, JobRequest, Queue, RetryPolicy } from '../../src/queue/queue.js';
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from '../helpers/redis.js';

/** Tiny delays so retry tests run in milliseconds. */
export const TEST_POLICIES: Record<JobName, RetryPolicy> = {
  discover: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
  article: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
  alert: { attempts: 4, baseDelayMs: 10, maxDelayMs: 50 },
};

export const silentLogger: Logger = createLogger({ level: 'silent', pretty: false });

/** A queue under test and how to dispose of it. */
export interface QueueUnderTest {
  queue: Queue;
  /** Closes the queue (if the test did not) and removes its Redis keys. */
  dispose(): Promise<void>;
}

/** One factory per Queue implementation; the contract suite runs over both. */
export const queueFactories: Array<{ kind: string; make: (policies?: Record<JobName, RetryPolicy>) => Promise<QueueUnderTest> }> = [
  {
    kind: 'memory',
    make: async (policies = TEST_POLICIES) => {
      const queue = createMemoryQueue({ policies, logger: silentLogger });
      return { queue, dispose: () => queue.close(0) };
    },
  },
  {
    kind: 'bullmq',
    make: async (policies = TEST_POLICIES) => {
      const prefix = uniquePrefix('queue');
      const queue = await createBullmqQueue({ url: TEST_REDIS_URL, prefix, policies, logger: silentLogger });
      return {
        queue,
        dispose: async () => {
          await queue.close(0);
          await deletePrefix(prefix);
        },
      };
    },
  },
];

/** A discover job request for source `id`. */
export function discover(id: string, delayMs?: number): JobRequest<'discover'> {
  return { name: 'discover', id, data: { sourceId: id, tick: '2026-11-23T15:00:00.000Z' }, delayMs };
}

/** An article job request for one URL. */
export function article(id: string, url = `https://news.example/${id}`): JobRequest<'article'> {
  return { name: 'article', id, data: { sourceId: 'telesur-en', urlKey: url, ref: { url, title: 'Iranian foreign minister arrives in Caracas' } } };
}

const none = async (): Promise<JobRequest[]> => [];

/** Handlers that do nothing, with the given ones replacing the defaults. */
export function handlers(overrides: { discover?: JobHandler<'discover'>; article?: JobHandler<'article'>; alert?: JobHandler<'alert'> }): JobHandlers {
  return { discover: overrides.discover ?? none, article: overrides.article ?? none, alert: overrides.alert ?? none };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it is true; rejects after `timeoutMs` so a broken queue fails the test instead of hanging it. */
export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
