import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { createBullmqQueue } from './bullmq-queue.js';
import type { ConnectionWatch } from './connection-watch.js';
import { createMemoryQueue } from './memory-queue.js';
import type { Concurrency, JobName, Queue, RetryPolicy } from './queue.js';

export { Scheduler, discoverJobId } from './scheduler.js';
export { backoffDelay, retryDelay } from './backoff.js';
export { ConnectionWatch } from './connection-watch.js';

/**
 * Retry policy per kind of job, from the config. Discover jobs retry briefly: the next tick polls again anyway.
 * Article jobs retry for minutes; alerts for as long as `alerts.*` says (about a day by default).
 */
export function retryPolicies(config: Config): Record<JobName, RetryPolicy> {
  return {
    discover: { attempts: 2, baseDelayMs: 5_000, maxDelayMs: 60_000 },
    article: { attempts: config.queue.articleAttempts, baseDelayMs: 5_000, maxDelayMs: 300_000 },
    alert: { attempts: config.alerts.attempts, baseDelayMs: config.alerts.retryBaseMs, maxDelayMs: config.alerts.retryMaxMs },
  };
}

/** Jobs of each kind run at once in this process. */
export function concurrencyFrom(config: Config): Concurrency {
  return { discover: config.queue.discoverConcurrency, article: config.queue.articleConcurrency, alert: config.queue.alertConcurrency };
}

/** BullMQ when `redis.url` is set (or `kind` says so), the in-process queue otherwise. */
export async function createQueue(
  config: Config,
  logger: Logger,
  kind: 'redis' | 'embedded' = config.redis.url ? 'redis' : 'embedded',
  overrides: Partial<Record<JobName, RetryPolicy>> = {},
  tuning: { stalledIntervalMs?: number; watch?: ConnectionWatch } = {},
): Promise<Queue> {
  const policies = { ...retryPolicies(config), ...overrides };
  if (kind === 'redis' && config.redis.url) {
    return createBullmqQueue({ url: config.redis.url, prefix: config.redis.prefix, policies, logger: logger.child({ component: 'queue' }), ...tuning });
  }
  return createMemoryQueue({ policies, logger: logger.child({ component: 'queue' }) });
}
