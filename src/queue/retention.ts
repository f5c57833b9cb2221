import type { JobName } from './queue.js';

const HOUR_MS = 3_600_000;

/**
 * How long a completed job's id keeps deduping re-adds. Discover ids carry their tick, and processes that share a
 * tick compute it within seconds of each other, so 15 minutes is ample — and it bounds Redis: at 10,000 sources
 * polled every 5 minutes, an hour of finished discover jobs would hold ~120,000 of them (~170 MB). Article and alert
 * ids are derived from URLs and stories, so a day stops a story from being re-processed or re-alerted when a feed
 * repeats it.
 */
export const COMPLETED_RETENTION_MS: Readonly<Record<JobName, number>> = {
  discover: HOUR_MS / 4,
  article: 24 * HOUR_MS,
  alert: 24 * HOUR_MS,
};

/** How long a job that failed for good is kept (and its id dedupes): a week, time enough to look into it. */
export const FAILED_RETENTION_MS = 7 * 24 * HOUR_MS;

/** Every kind of job, in pipeline order. */
export const JOB_NAMES: readonly JobName[] = ['discover', 'article', 'alert'];
