import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { createFileStore } from './file-store.js';
import { createRedisStore, type ConnectionTracker } from './redis-store.js';
import type { Store } from './store.js';

/** The Redis store when `redis.url` is set (or `kind` says so), the embedded file store under `state.dir` otherwise. */
export async function createStore(
  config: Config,
  logger: Logger,
  kind: 'redis' | 'embedded' = config.redis.url ? 'redis' : 'embedded',
  options: { watch?: ConnectionTracker } = {},
): Promise<Store> {
  const child = logger.child({ component: 'store' });
  if (kind === 'redis' && config.redis.url) {
    return createRedisStore({ url: config.redis.url, prefix: config.redis.prefix, retentionDays: config.stories.retentionDays, logger: child, ...options });
  }
  return createFileStore({ dir: config.state.dir, retentionDays: config.stories.retentionDays, logger: child });
}
