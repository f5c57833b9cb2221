/**
 * Errors that tell the queue whether to retry. Messages start with the module that raised them,
 * e.g. `fetch: body over 5 MB limit (https://…)`.
 */

/** A failure that will not go away by retrying: 404/410, a parse failure, a refused address. */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A failure worth retrying later: timeout, 5xx, 429, connection reset. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  /** Milliseconds the server asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** True when an error should not be retried. Unknown errors are retried. */
export function isPermanent(err: unknown): boolean {
  return err instanceof PermanentError;
}

/** A one-line description of any thrown value, for logs. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
