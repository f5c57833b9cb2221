import { errorMessage, isPermanent } from '../errors.js';
import type { Logger } from '../log.js';
import { retryDelay } from './backoff.js';
import type { Concurrency, FailureListener, JobContext, JobDataByName, JobHandlers, JobName, JobRequest, Queue, RetryPolicy } from './queue.js';
import { COMPLETED_RETENTION_MS, FAILED_RETENTION_MS, JOB_NAMES } from './retention.js';

/** Options of the in-process queue. */
export interface MemoryQueueOptions {
  policies: Record<JobName, RetryPolicy>;
  logger?: Logger;
  /**
   * Most finished job ids remembered for dedupe; the oldest are forgotten first.
   * @defaultValue 100000
   */
  maxRemembered?: number;
}

interface PendingJob {
  name: JobName;
  id: string;
  data: JobDataByName[JobName];
  /** Attempts started so far. */
  attempts: number;
  timer?: NodeJS.Timeout;
}

interface KindState {
  waiting: PendingJob[];
  delayed: Set<PendingJob>;
  active: Map<PendingJob, { controller: AbortController; done: Promise<void> }>;
  failed: number;
}

interface Remembered {
  name: JobName;
  expiresAt: number;
  failed: boolean;
}

const SWEEP_INTERVAL_MS = 10 * 60_000;

/**
 * The in-process queue of embedded mode, with the semantics of the BullMQ one: dedupe by id (finished ids are
 * remembered for a while), per-kind concurrency, delays, retries with backoff, no retry after a PermanentError.
 * The queue itself is not persisted: on restart, pending discover and article work is re-derived by the next
 * poll, and jobs still waiting or delayed at `close` are dropped (alerts still retrying are lost with them).
 */
export class MemoryQueue implements Queue {
  readonly kind = 'memory' as const;
  private readonly policies: Record<JobName, RetryPolicy>;
  private readonly logger: Logger | undefined;
  private readonly maxRemembered: number;
  private readonly kinds: Record<JobName, KindState>;
  /** Jobs waiting, delayed or running, by `name\0id`. */
  private readonly live = new Map<string, PendingJob>();
  /** Finished job ids, by `name\0id`, oldest first. */
  private readonly remembered = new Map<string, Remembered>();
  private handlers: JobHandlers | undefined;
  private concurrency: Concurrency | undefined;
  private onFailed: FailureListener | undefined;
  private closing = false;
  private closed = false;
  private drainWaiters: Array<() => void> = [];
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(options: MemoryQueueOptions) {
    this.policies = options.policies;
    this.logger = options.logger;
    this.maxRemembered = options.maxRemembered ?? 100_000;
    this.kinds = {
      discover: emptyKind(),
      article: emptyKind(),
      alert: emptyKind(),
    };
  }

  /** Adds a job unless one with that id is queued, running or finished recently. */
  async add(request: JobRequest): Promise<boolean> {
    if (this.closed) throw new Error(`queue: closed, cannot add ${request.name} job ${request.id}`);
    const key = jobKey(request.name, request.id);
    if (this.live.has(key) || this.isRemembered(key)) return false;
    const job: PendingJob = { name: request.name, id: request.id, data: request.data, attempts: 0 };
    this.live.set(key, job);
    if (request.delayMs !== undefined && request.delayMs > 0) {
      this.delay(job, request.delayMs);
    } else {
      this.kinds[job.name].waiting.push(job);
      this.pump(job.name);
    }
    return true;
  }

  /** Starts running jobs with these handlers. */
  start(handlers: JobHandlers, options: { concurrency: Concurrency; onFailed?: FailureListener }): void {
    if (this.closing) throw new Error('queue: closed, cannot start');
    this.handlers = handlers;
    this.concurrency = options.concurrency;
    this.onFailed = options.onFailed;
    this.sweepTimer ??= setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    // Housekeeping only: it must not keep a finished `scan` alive.
    this.sweepTimer.unref();
    for (const name of JOB_NAMES) this.pump(name);
  }

  /** Jobs per kind; `failed` counts jobs that failed for good and are still remembered. */
  async counts(): Promise<Record<JobName, { waiting: number; active: number; delayed: number; failed: number }>> {
    const count = (state: KindState) => ({ waiting: state.waiting.length, active: state.active.size, delayed: state.delayed.size, failed: state.failed });
    return { discover: count(this.kinds.discover), article: count(this.kinds.article), alert: count(this.kinds.alert) };
  }

  /** Resolves once nothing is waiting, delayed or running (or the queue has closed). */
  drained(): Promise<void> {
    if (this.idle() || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Drops waiting and delayed jobs, lets running ones finish for up to `graceMs`, then aborts them. */
  async close(graceMs: number): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.keepUndelivered(this.dropPending());
    const running = this.runningPromises();
    if (running.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'expired'>((resolve) => {
        timer = setTimeout(() => resolve('expired'), graceMs);
      });
      const outcome = await Promise.race([Promise.all(running).then(() => 'finished' as const), expired]);
      clearTimeout(timer);
      if (outcome === 'expired') {
        for (const state of Object.values(this.kinds)) for (const { controller } of state.active.values()) controller.abort(new Error('queue: shutting down'));
        this.logger?.warn({ running: this.runningPromises().length, graceMs }, 'queue: jobs still running after the grace period were aborted');
      }
    }
    // Jobs added by handlers that finished during the grace period are dropped too (alerts kept as failed).
    await this.keepUndelivered(this.dropPending());
    this.closed = true;
    this.resolveDrainWaiters();
  }

  private pump(name: JobName): void {
    const handlers = this.handlers;
    const limit = this.concurrency?.[name];
    if (!handlers || limit === undefined || this.closing) return;
    const state = this.kinds[name];
    while (state.active.size < limit) {
      const job = state.waiting.shift();
      if (!job) break;
      this.run(job, handlers);
    }
  }

  private run(job: PendingJob, handlers: JobHandlers): void {
    const state = this.kinds[job.name];
    const policy = this.policies[job.name];
    const controller = new AbortController();
    job.attempts += 1;
    const ctx: JobContext = { id: job.id, attempt: job.attempts, maxAttempts: policy.attempts, signal: controller.signal };
    const done = (async () => {
      // Handlers start on a later tick, so `add` never runs a handler inside its caller's stack.
      await null;
      try {
        const handler = handlers[job.name] as (data: JobDataByName[JobName], ctx: JobContext) => Promise<JobRequest[]>;
        const next = await handler(job.data, ctx);
        for (const request of next) await this.add(request);
        this.finish(job, false);
      } catch (thrown) {
        const err = thrown instanceof Error ? thrown : new Error(errorMessage(thrown));
        if (isPermanent(err) || job.attempts >= policy.attempts) {
          await this.notifyFailed(job, err, ctx);
          this.finish(job, true);
        } else if (this.closing) {
          this.live.delete(jobKey(job.name, job.id));
          if (job.name === 'alert') await this.notifyFailed(job, new Error(`queue: shut down before delivery (${err.message})`), ctx);
        } else {
          this.delay(job, retryDelay(policy, job.attempts, err));
        }
      } finally {
        state.active.delete(job);
        this.pump(job.name);
        if (this.idle()) this.resolveDrainWaiters();
      }
    })();
    state.active.set(job, { controller, done });
  }

  private async notifyFailed(job: PendingJob, err: Error, ctx: JobContext): Promise<void> {
    if (!this.onFailed) return;
    try {
      await this.onFailed(job.name, job.data, err, ctx);
    } catch (listenerErr) {
      this.logger?.error({ err: errorMessage(listenerErr), job: job.id }, 'queue: failure listener threw');
    }
  }

  private delay(job: PendingJob, ms: number): void {
    const state = this.kinds[job.name];
    state.delayed.add(job);
    // Kept referenced: a `scan` waiting in drained() must stay alive until retries are done.
    job.timer = setTimeout(() => {
      job.timer = undefined;
      state.delayed.delete(job);
      state.waiting.push(job);
      this.pump(job.name);
    }, ms);
  }

  private finish(job: PendingJob, failed: boolean): void {
    const key = jobKey(job.name, job.id);
    this.live.delete(key);
    const retention = failed ? FAILED_RETENTION_MS : COMPLETED_RETENTION_MS[job.name];
    this.remembered.set(key, { name: job.name, expiresAt: Date.now() + retention, failed });
    if (failed) this.kinds[job.name].failed += 1;
    while (this.remembered.size > this.maxRemembered) {
      const oldest = this.remembered.keys().next();
      if (oldest.done) break;
      this.forget(oldest.value);
    }
  }

  private isRemembered(key: string): boolean {
    const entry = this.remembered.get(key);
    if (!entry) return false;
    if (entry.expiresAt > Date.now()) return true;
    this.forget(key);
    return false;
  }

  private forget(key: string): void {
    const entry = this.remembered.get(key);
    if (!entry) return;
    this.remembered.delete(key);
    if (entry.failed) this.kinds[entry.name].failed -= 1;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.remembered) if (entry.expiresAt <= now) this.forget(key);
  }

  /** Empties the waiting and delayed lists; returns what was in them. */
  private dropPending(): PendingJob[] {
    const dropped: PendingJob[] = [];
    for (const state of Object.values(this.kinds)) {
      for (const job of [...state.waiting, ...state.delayed]) {
        clearTimeout(job.timer);
        this.live.delete(jobKey(job.name, job.id));
        dropped.push(job);
      }
      state.waiting = [];
      state.delayed.clear();
    }
    return dropped;
  }

  /**
   * An in-process queue does not outlive its process. Discover and article work is found again by the next poll
   * (a URL is marked seen only once processed), but an alert would be lost: hand each undelivered one to the
   * failure listener, which keeps it as failed for `alerts retry`.
   */
  private async keepUndelivered(dropped: PendingJob[]): Promise<void> {
    for (const job of dropped) {
      if (job.name !== 'alert') continue;
      const ctx: JobContext = { id: job.id, attempt: job.attempts, maxAttempts: this.policies.alert.attempts, signal: AbortSignal.abort() };
      await this.notifyFailed(job, new Error('queue: shut down before delivery'), ctx);
    }
  }

  private runningPromises(): Array<Promise<void>> {
    return Object.values(this.kinds).flatMap((state) => [...state.active.values()].map((entry) => entry.done));
  }

  private idle(): boolean {
    return Object.values(this.kinds).every((state) => state.waiting.length === 0 && state.delayed.size === 0 && state.active.size === 0);
  }

  private resolveDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Creates the in-process queue used in embedded mode. */
export function createMemoryQueue(options: MemoryQueueOptions): MemoryQueue {
  return new MemoryQueue(options);
}

function emptyKind(): KindState {
  return { waiting: [], delayed: new Set(), active: new Map(), failed: 0 };
}

function jobKey(name: JobName, id: string): string {
  return `${name}\u0000${id}`;
}
