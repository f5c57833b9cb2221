import cron, { type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import type { SourceConfig } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { JobRequest, Queue } from './queue.js';

/** What the scheduler needs. */
export interface SchedulerOptions {
  /** Only `add` is used. */
  queue: Pick<Queue, 'add'>;
  logger: Logger;
  /** Clock for `runNow`; cron ticks carry their own scheduled time. @defaultValue Date.now */
  now?: () => number;
}

interface SourceTask {
  source: SourceConfig;
  task: ScheduledTask;
}

/**
 * Id of the discover job for one source and tick: the tick truncated to the schedule's resolution (seconds for
 * a 6-field cron, minutes for 5 fields), so every process that fires for the same slot computes the same id.
 * Source ids cannot contain '@', which keeps the id unambiguous.
 */
export function discoverJobId(sourceId: string, tick: Date, sixFields: boolean): string {
  const truncated = truncateTick(tick, sixFields);
  const iso = truncated.toISOString(); // 2026-11-23T15:04:05.000Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${sixFields ? iso.slice(17, 19) : ''}Z`;
  return `${sourceId}@${stamp}`;
}

/**
 * One node-cron task per enabled source; each tick enqueues a discover job whose id is derived from the source
 * and the scheduled slot, so several processes running their own schedulers enqueue each tick once.
 */
export class Scheduler {
  private readonly queue: Pick<Queue, 'add'>;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly tasks = new Map<string, SourceTask>();
  private stopped = false;

  constructor(options: SchedulerOptions) {
    this.queue = options.queue;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
  }

  /** Schedules enabled sources: starts new or re-scheduled ones, stops removed or disabled ones. */
  setSources(sources: SourceConfig[]): void {
    this.stopped = false;
    const wanted = new Map(sources.filter((source) => source.enabled).map((source) => [source.id, source]));
    for (const [id, entry] of this.tasks) {
      const next = wanted.get(id);
      if (next && next.schedule === entry.source.schedule) {
        entry.source = next;
        continue;
      }
      void entry.task.destroy();
      this.tasks.delete(id);
    }
    for (const source of wanted.values()) {
      if (this.tasks.has(source.id)) continue;
      const sixFields = isSixFields(source.schedule);
      const task = cron.schedule(source.schedule, (context) => this.enqueue(source.id, context.date, sixFields), {
        name: `discover:${source.id}`,
        logger: cronLogger(this.logger.child({ source: source.id })),
        // node-cron drops a tick that fires over 1 s late by default; an event-loop stall must not lose a poll.
        // The tick's date is still the scheduled slot, so its job id (and the dedupe across processes) holds.
        missedExecutionTolerance: 30_000,
      });
      this.tasks.set(source.id, { source, task });
    }
  }

  /** Enqueues one discover job per source now (all scheduled sources when no ids are given); resolves to how many were added. */
  async runNow(sourceIds?: string[]): Promise<number> {
    const ids = sourceIds ?? [...this.tasks.keys()];
    const unknown = ids.filter((id) => !this.tasks.has(id));
    if (unknown.length > 0) throw new Error(`scheduler: no enabled source with id ${unknown.map((id) => `"${id}"`).join(', ')}`);
    const tick = new Date(this.now());
    const added = await Promise.all(ids.map((id) => this.enqueue(id, tick, isSixFields(this.tasks.get(id)?.source.schedule ?? ''))));
    return added.filter(Boolean).length;
  }

  /** Stops every task; `setSources` starts them again. */
  stop(): void {
    this.stopped = true;
    for (const entry of this.tasks.values()) void entry.task.destroy();
    this.tasks.clear();
  }

  /** True while at least one source is scheduled. */
  running(): boolean {
    return !this.stopped && this.tasks.size > 0;
  }

  /** Number of scheduled sources. */
  sourceCount(): number {
    return this.tasks.size;
  }

  private async enqueue(sourceId: string, tick: Date, sixFields: boolean): Promise<boolean> {
    const request: JobRequest<'discover'> = {
      name: 'discover',
      id: discoverJobId(sourceId, tick, sixFields),
      data: { sourceId, tick: truncateTick(tick, sixFields).toISOString() },
    };
    try {
      return await this.queue.add(request);
    } catch (err) {
      // A lost tick is made up by the next one; the scheduler must keep running.
      this.logger.warn({ source: sourceId, err: errorMessage(err) }, 'scheduler: could not enqueue discover job');
      return false;
    }
  }
}

function isSixFields(schedule: string): boolean {
  return schedule.trim().split(/\s+/).length === 6;
}

function truncateTick(tick: Date, sixFields: boolean): Date {
  const unit = sixFields ? 1000 : 60_000;
  return new Date(Math.floor(tick.getTime() / unit) * unit);
}

/** node-cron logs to the console by default; route it to ours. */
/** node-cron's own messages routed into pino (its chatter at debug level). */
export function cronLogger(logger: Logger): CronLogger {
  const text = (message: string | Error, err?: Error) => (err ? `${errorMessage(message)}: ${err.message}` : errorMessage(message));
  return {
    info: (message) => logger.debug(`cron: ${message}`),
    warn: (message) => logger.warn(`cron: ${message}`),
    error: (message, err) => logger.error(`cron: ${text(message, err)}`),
    debug: (message, err) => logger.debug(`cron: ${text(message, err)}`),
  };
}
