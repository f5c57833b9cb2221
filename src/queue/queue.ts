import type { ArticleRef } from '../parsers/types.js';
import type { AlertEvent } from '../alerts/types.js';

/** Payload of a discover job: poll one source once, for one scheduler tick. */
export interface DiscoverJob {
  sourceId: string;
  /** ISO time of the scheduler tick (or of the scan) that asked for it. */
  tick: string;
  /** Poll even when the source is backing off after failures (a manual `scan` polls everything). */
  force?: boolean;
}

/** Payload of an article job: fetch, extract, detect and assign one article. */
export interface ArticleJob {
  sourceId: string;
  /** Normalized URL key claimed by discover. */
  urlKey: string;
  ref: ArticleRef;
}

/** Payload of an alert job: deliver one rendered alert to one webhook. */
export interface AlertJob {
  webhookId: string;
  storyId: string;
  event: AlertEvent;
  /** The Standard Webhooks `webhook-id`: the same on every attempt of this alert. */
  alertId: string;
  /** The JSON body, rendered once when the alert was created, so every attempt sends the same bytes. */
  body: string;
}

export interface JobDataByName {
  discover: DiscoverJob;
  article: ArticleJob;
  alert: AlertJob;
}

export type JobName = keyof JobDataByName;

/** A job to enqueue. `id` dedupes: adding an id that is already queued, running or recently done is a no-op. */
export interface JobRequest<N extends JobName = JobName> {
  name: N;
  id: string;
  data: JobDataByName[N];
  /** Start no sooner than this many ms from now. */
  delayMs?: number;
}

/** What a handler learns about the attempt it is running. */
export interface JobContext {
  id: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Attempts allowed in all for this kind of job. */
  maxAttempts: number;
  /** Aborted when the service is shutting down past its grace period. */
  signal: AbortSignal;
}

/** A handler returns what to enqueue next. It throws PermanentError to stop retries, anything else to retry. */
export type JobHandler<N extends JobName> = (data: JobDataByName[N], ctx: JobContext) => Promise<JobRequest[]>;

export type JobHandlers = { [N in JobName]: JobHandler<N> };

/** Called once when a job fails for good (permanent error or attempts exhausted). */
export type FailureListener = (name: JobName, data: JobDataByName[JobName], err: Error, ctx: JobContext) => Promise<void> | void;

/** Retry policy of one kind of job. */
export interface RetryPolicy {
  attempts: number;
  /** First backoff delay; doubles each attempt, with ±20% jitter, capped at `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export type Concurrency = { [N in JobName]: number };

/**
 * The Queue port. Two implementations: BullMQ (`bullmq-queue.ts`) and in-process (`memory-queue.ts`) with the
 * same semantics: dedupe by job id, retries with backoff (honouring a TransientError's retryAfterMs), no retry
 * after a PermanentError, per-kind concurrency.
 */
export interface Queue {
  readonly kind: 'bullmq' | 'memory';
  /** Resolves true if the job was added, false if a job with that id already existed. */
  add(request: JobRequest): Promise<boolean>;
  /** Starts consuming with these handlers. */
  start(handlers: JobHandlers, options: { concurrency: Concurrency; onFailed?: FailureListener }): void;
  /** Jobs waiting, delayed or running, per kind. */
  counts(): Promise<Record<JobName, { waiting: number; active: number; delayed: number; failed: number }>>;
  /** Resolves when no job of any kind is waiting, delayed or running (used by `scan`). */
  drained(): Promise<void>;
  /** Stops taking new jobs, waits up to `graceMs` for running ones, then closes. */
  close(graceMs: number): Promise<void>;
}
