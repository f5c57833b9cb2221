import { TransientError } from '../errors.js';
import type { RetryPolicy } from './queue.js';

/** Share of the delay that jitter may add or remove, so retries from many jobs do not arrive in lockstep. */
const JITTER = 0.2;

/**
 * Delay before the attempt after `attempt` (1 for the first attempt): `baseDelayMs · 2^(attempt-1)`, ±20%
 * jitter, never above `maxDelayMs`.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  // Math.min before multiplying keeps 2^exponent from overflowing to Infinity on long retry series.
  const raw = Math.min(policy.baseDelayMs * 2 ** Math.min(exponent, 52), policy.maxDelayMs);
  const jittered = raw * (1 - JITTER + 2 * JITTER * random());
  return Math.max(0, Math.round(Math.min(jittered, policy.maxDelayMs)));
}

/** The backoff delay, raised to the server's Retry-After when the error carries one. */
export function retryDelay(policy: RetryPolicy, attempt: number, err: unknown, random: () => number = Math.random): number {
  const delay = backoffDelay(policy, attempt, random);
  if (err instanceof TransientError && err.retryAfterMs !== undefined && err.retryAfterMs > delay) {
    return Math.ceil(err.retryAfterMs);
  }
  return delay;
}
