import { randomUUID } from 'node:crypto';
import { Queue as BullQueue, DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { PermanentError, errorMessage } from '../errors.js';
import { redactUrl, type Logger } from '../log.js';
import { retryDelay } from './backoff.js';
import { ConnectionWatch } from './connection-watch.js';
import type { Concurrency, FailureListener, JobContext, JobDataByName, JobHandlers, JobName, JobRequest, Queue, RetryPolicy } from './queue.js';
import { COMPLETED_RETENTION_MS, FAILED_RETENTION_MS, JOB_NAMES } from './retention.js';

/** Options of the BullMQ queue. */
export interface BullmqQueueOptions {
  url: string;
  /** Prefix of every BullMQ key; one BullMQ queue per job name lives under it. */
  prefix: string;
  policies: Record<JobName, RetryPolicy>;
  logger?: Logger;
  /**
   * How long a running job's lock lasts without renewal, and how often workers look for jobs whose lock
   * expired (a crashed process's jobs): such a job runs again after one to two intervals.
   * @defaultValue 30000 (BullMQ's own default)
   */
  stalledIntervalMs?: number;
  /** Shared with the store, so an outage is logged once per process rather than once per component. */
  watch?: ConnectionWatch;
}

/** What is stored as a BullMQ job's data: the payload, and a token telling our own add from an earlier one. */
interface Envelope {
  payload: JobDataByName[JobName];
  token: string;
}

/** Name of our backoff strategy in BullMQ job options; the worker's `settings.backoffStrategy` implements it. */
const BACKOFF_TYPE = 'diplowatch';
/** How often drained() looks at the counts. */
const DRAIN_POLL_MS = 100;
/** How long start-up waits for Redis to answer. */
const CONNECT_TIMEOUT_MS = 10_000;
/** How long closing workers and queues may take once running jobs are done or aborted. */
const CLOSE_TIMEOUT_MS = 5_000;
const CLOSE_TIMEOUT_DOWN_MS = 500;

/**
 * The Queue port on BullMQ: one BullMQ queue and one worker per job name under one prefix, so any number of
 * processes can share the work. A PermanentError becomes BullMQ's UnrecoverableError (no retry); a
 * TransientError's retryAfterMs raises the backoff delay of the next attempt.
 */
export class BullmqQueue implements Queue {
  readonly kind = 'bullmq' as const;
  private readonly options: BullmqQueueOptions;
  private readonly logger: Logger | undefined;
  private readonly queues: Record<JobName, BullQueue>;
  private readonly workers: Worker[] = [];
  private readonly watch: ConnectionWatch;
  /** Handler calls in flight, so close() can wait for them and abort them. */
  private readonly inFlight = new Map<Promise<unknown>, AbortController>();
  private readonly listenerCalls = new Set<Promise<void>>();
  private closing: Promise<void> | undefined;
  private disconnecting = false;

  /** Use `createBullmqQueue`, which also checks that Redis answers. */
  constructor(
    options: BullmqQueueOptions,
    private readonly producer: Redis,
    private readonly consumer: Redis,
  ) {
    this.options = options;
    this.logger = options.logger;
    this.watch = options.watch ?? new ConnectionWatch(options.logger);
    this.watch.track(producer);
    this.watch.track(consumer);
    const make = (name: JobName) => {
      const queue = new BullQueue(name, { connection: producer, prefix: options.prefix });
      queue.on('error', (err) => this.reportError(err, name));
      return queue;
    };
    this.queues = { discover: make('discover'), article: make('article'), alert: make('alert') };
  }

  /** The underlying BullMQ queues, for the dashboard at `/admin/queues`. */
  bullQueues(): BullQueue[] {
    return Object.values(this.queues);
  }

  /** Adds the job unless one with its id exists (waiting, delayed, running, or kept after finishing). */
  async add(request: JobRequest): Promise<boolean> {
    // Refused only once the connections go: jobs finishing during the grace period still enqueue what follows.
    if (this.disconnecting) throw new Error(`queue: closed, cannot add ${request.name} job ${request.id}`);
    const queue = this.queues[request.name];
    const policy = this.options.policies[request.name];
    const jobId = encodeJobId(request.id);
    const envelope: Envelope = { payload: request.data, token: randomUUID() };
    await queue.add(request.name, envelope, {
      jobId,
      delay: request.delayMs !== undefined && request.delayMs > 0 ? request.delayMs : undefined,
      attempts: policy.attempts,
      backoff: { type: BACKOFF_TYPE },
      removeOnComplete: { age: Math.round(COMPLETED_RETENTION_MS[request.name] / 1000) },
      removeOnFail: { age: Math.round(FAILED_RETENTION_MS / 1000) },
    });
    // BullMQ answers a duplicate id with the existing job's id, not an error: the stored token says whose job it is.
    const stored = await queue.getJob(jobId);
    return stored !== undefined && isEnvelope(stored.data) && stored.data.token === envelope.token;
  }

  /** Starts one worker per job name. */
  start(handlers: JobHandlers, options: { concurrency: Concurrency; onFailed?: FailureListener }): void {
    if (this.workers.length > 0) throw new Error('queue: already started');
    for (const name of JOB_NAMES) {
      const policy = this.options.policies[name];
      const worker = new Worker<Envelope, void>(name, async (job, token) => this.process(name, job, handlers, token), {
        connection: this.consumer,
        prefix: this.options.prefix,
        concurrency: options.concurrency[name],
        ...(this.options.stalledIntervalMs ? { lockDuration: this.options.stalledIntervalMs, stalledInterval: this.options.stalledIntervalMs } : {}),
        settings: { backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) => retryDelay(policy, attemptsMade, err) },
      });
      worker.on('error', (err) => this.reportError(err, name));
      worker.on('failed', (job, err) => {
        if (!job || !options.onFailed) return;
        const permanent = err instanceof UnrecoverableError || err.name === 'UnrecoverableError';
        if (!permanent && job.attemptsMade < (job.opts.attempts ?? 1)) return;
        const call = this.notifyFailed(options.onFailed, name, job, err);
        this.listenerCalls.add(call);
        void call.finally(() => this.listenerCalls.delete(call));
      });
      this.workers.push(worker);
    }
  }

  /** Jobs per kind, as BullMQ counts them (`waiting` includes prioritized jobs). */
  async counts(): Promise<Record<JobName, { waiting: number; active: number; delayed: number; failed: number }>> {
    const entries = await Promise.all(
      JOB_NAMES.map(async (name) => {
        const c = await this.queues[name].getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
        const n = (key: string) => c[key] ?? 0;
        return [name, { waiting: n('waiting') + n('prioritized'), active: n('active'), delayed: n('delayed'), failed: n('failed') }] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<JobName, { waiting: number; active: number; delayed: number; failed: number }>;
  }

  /** Polls the counts until nothing is waiting, delayed or running in any of the three queues. */
  async drained(): Promise<void> {
    for (;;) {
      const counts = await this.counts();
      if (Object.values(counts).every((c) => c.waiting + c.active + c.delayed === 0)) return;
      await sleep(DRAIN_POLL_MS);
    }
  }

  /** Stops fetching, waits up to `graceMs` for running handlers, aborts the rest, then closes connections. */
  close(graceMs: number): Promise<void> {
    this.closing ??= this.shutdown(graceMs);
    return this.closing;
  }

  private async shutdown(graceMs: number): Promise<void> {
    // pause(true) stops fetching at once without waiting; close() would wait for running jobs with no bound.
    await Promise.all(this.workers.map((worker) => worker.pause(true)));
    const deadline = Date.now() + graceMs;
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      await Promise.race([Promise.allSettled([...this.inFlight.keys()]), sleep(Math.min(DRAIN_POLL_MS, Math.max(1, deadline - Date.now())))]);
    }
    const force = this.inFlight.size > 0;
    if (force) {
      this.logger?.warn({ running: this.inFlight.size, graceMs }, 'queue: jobs still running after the grace period were aborted');
      for (const controller of this.inFlight.values()) controller.abort(new Error('queue: shutting down'));
    }
    // Forced: BullMQ's stalled-job check hands the aborted jobs to another worker later. Bounded, because
    // closing waits on Redis, and a shutdown during an outage must still end.
    const closed = (async () => {
      await Promise.all(this.workers.map((worker) => worker.close(force)));
      await Promise.allSettled([...this.listenerCalls]);
      await Promise.all(JOB_NAMES.map((name) => this.queues[name].close()));
    })();
    // With Redis unreachable there is nothing to close cleanly; don't make a shutdown wait the full bound.
    const bound = this.watch.down ? CLOSE_TIMEOUT_DOWN_MS : CLOSE_TIMEOUT_MS;
    await withTimeout(closed, bound, 'closing timed out').catch((err: unknown) => {
      this.logger?.warn({ err: errorMessage(err) }, 'queue: could not close cleanly; disconnecting');
    });
    this.disconnecting = true;
    this.watch.stop();
    await Promise.all([quit(this.producer), quit(this.consumer)]);
  }

  private async process(name: JobName, job: Job<Envelope, void>, handlers: JobHandlers, token: string | undefined): Promise<void> {
    if (this.closing) {
      // A paused worker may still receive the job its blocking read was waiting for; hand it back untouched
      // (no attempt used) for another process, or this one after a restart.
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    if (!isEnvelope(job.data)) throw new UnrecoverableError(`queue: ${name} job ${job.id ?? '?'} has data in an unknown shape`);
    const controller = new AbortController();
    const ctx: JobContext = {
      id: decodeJobId(job.id ?? ''),
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? this.options.policies[name].attempts,
      signal: controller.signal,
    };
    const handler = handlers[name] as (data: JobDataByName[JobName], ctx: JobContext) => Promise<JobRequest[]>;
    const run = (async () => {
      const next = await handler(job.data.payload, ctx);
      // Added before the job completes: if Redis fails here, the job is retried rather than its results lost.
      await Promise.all(next.map((request) => this.add(request)));
    })();
    this.inFlight.set(run, controller);
    try {
      await run;
    } catch (err) {
      if (err instanceof PermanentError) {
        const unrecoverable = new UnrecoverableError(err.message);
        unrecoverable.cause = err;
        throw unrecoverable;
      }
      throw err instanceof Error ? err : new Error(errorMessage(err));
    } finally {
      this.inFlight.delete(run);
    }
  }

  private async notifyFailed(listener: FailureListener, name: JobName, job: Job<Envelope, void>, err: Error): Promise<void> {
    // Hand the listener the handler's own error, not BullMQ's wrapper.
    const original = err.cause instanceof PermanentError ? err.cause : err;
    const ctx: JobContext = { id: decodeJobId(job.id ?? ''), attempt: job.attemptsMade, maxAttempts: job.opts.attempts ?? 1, signal: new AbortController().signal };
    try {
      if (!isEnvelope(job.data)) throw new Error(`queue: ${name} job ${ctx.id} has data in an unknown shape`);
      await listener(name, job.data.payload, original, ctx);
    } catch (listenerErr) {
      this.logger?.error({ err: errorMessage(listenerErr), job: ctx.id }, 'queue: failure listener threw');
    }
  }

  private reportError(err: Error, name: JobName): void {
    // During an outage every worker and queue repeats the connection error; ConnectionWatch logs it once.
    if (this.watch.down) return;
    this.logger?.warn({ err: err.message, queue: name }, 'queue: BullMQ error');
  }
}

/** Connects to Redis and creates the BullMQ queue; rejects when Redis does not answer. */
export async function createBullmqQueue(options: BullmqQueueOptions): Promise<BullmqQueue> {
  // Producer calls give up after a few retries, so `add` fails instead of hanging through an outage.
  const producer = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 5 });
  // BullMQ workers need requests that wait out an outage rather than fail. Not lazy: BullMQ duplicates this
  // client for its blocking reads, and a lazy duplicate stays unconnected until someone calls connect().
  const consumer = new Redis(options.url, { maxRetriesPerRequest: null });
  consumer.on('error', () => undefined);
  try {
    // The consumer retries forever by design, so a wrong URL would hang here without a bound.
    await withTimeout(Promise.all([producer.connect(), consumer.ping()]), CONNECT_TIMEOUT_MS, `no answer within ${CONNECT_TIMEOUT_MS} ms`);
  } catch (err) {
    producer.disconnect();
    consumer.disconnect();
    throw new Error(`queue: cannot connect to Redis at ${redactUrl(options.url)} (${errorMessage(err)})`, { cause: err });
  }
  return new BullmqQueue(options, producer, consumer);
}

/**
 * Makes a job id acceptable to BullMQ, which refuses ids containing ':' and ids that read as integers.
 * Percent-escaping keeps the mapping one-to-one.
 */
export function encodeJobId(id: string): string {
  const escaped = id.replace(/%/g, '%25').replace(/:/g, '%3A');
  if (/^\d+$/.test(escaped)) return `%3${escaped.slice(0, 1)}${escaped.slice(1)}`;
  return escaped;
}

/** The inverse of `encodeJobId`. */
export function decodeJobId(jobId: string): string {
  return jobId.replace(/%(25|3A|3[0-9])/g, (_match, code: string) => (code === '25' ? '%' : code === '3A' ? ':' : code.slice(1)));
}

function isEnvelope(value: unknown): value is Envelope {
  return typeof value === 'object' && value !== null && 'token' in value && 'payload' in value && typeof value.token === 'string';
}

async function quit(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  await withTimeout(redis.quit(), CLOSE_TIMEOUT_MS, 'quit timed out').catch(() => redis.disconnect());
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
