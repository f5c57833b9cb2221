import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';

/**
 * Logs "redis: connection lost" once per outage and "redis: reconnected" when every tracked connection is back.
 * One watch tracks all of a process's Redis connections (queue and store), so an outage is one line, not one per client.
 */
export class ConnectionWatch {
  private readonly broken = new Set<Redis>();
  private readonly detach: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly logger: Logger | undefined) {}

  get down(): boolean {
    return this.broken.size > 0;
  }

  track(redis: Redis): void {
    const lost = (err?: Error) => {
      if (this.stopped) return;
      if (this.broken.size === 0) this.logger?.warn({ err: err?.message }, 'redis: connection lost');
      this.broken.add(redis);
    };
    const onError = (err: Error) => lost(err);
    const onClose = () => lost();
    const onReady = () => {
      if (!this.broken.delete(redis) || this.stopped) return;
      if (this.broken.size === 0) this.logger?.info('redis: reconnected');
    };
    redis.on('error', onError);
    redis.on('close', onClose);
    redis.on('ready', onReady);
    this.detach.push(() => {
      redis.off('close', onClose);
      redis.off('ready', onReady);
      // An error listener stays, so a late socket error is not reported as unhandled.
      redis.off('error', onError);
      redis.on('error', () => undefined);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const detach of this.detach) detach();
  }
}
