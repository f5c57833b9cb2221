/**
 * How HTTP statuses and network errors become PermanentError / TransientError with one-line messages.
 */
import { PermanentError, TransientError } from '../errors.js';

/** The module name at the start of every message: `fetch` for outlets, `webhook` for deliveries. */
export type Module = 'fetch' | 'webhook';

/** The configured timeouts, so a timeout message can say how long was waited. */
export interface TimeoutSettings {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}

/** `30000` → `30 s`, `250` → `0.25 s`. */
export function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

/**
 * Milliseconds to wait from a `Retry-After` header: delta-seconds or an HTTP date (relative to `nowMs`).
 * Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // HTTP dates start with a day name; Date.parse would also take "-5" as the year 5 BC.
  const at = /^[A-Za-z]{3}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** True for statuses worth retrying later: request timeout, too early, too many requests, server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599);
}

/** The error for a non-2xx, non-redirect status. */
export function statusError(module: Module, status: number, url: string, retryAfter: string | undefined): Error {
  const message = `${module}: HTTP ${status} (${url})`;
  if (isRetryableStatus(status)) {
    return new TransientError(message, { retryAfterMs: parseRetryAfter(retryAfter, Date.now()) });
  }
  return new PermanentError(message);
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return errorCode((err as { cause?: unknown }).cause);
}

const CONNECTION_PROBLEMS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed by server',
  UND_ERR_CLOSED: 'connection closed',
  UND_ERR_DESTROYED: 'connection closed',
  UND_ERR_ABORTED: 'aborted',
  ABORT_ERR: 'aborted',
  UND_ERR_RESPONSE_STATUS_CODE: 'bad response',
  HPE_INVALID_CONSTANT: 'malformed response',
  HPE_INVALID_HEADER_TOKEN: 'malformed response headers',
  UND_ERR_HEADERS_OVERFLOW: 'response headers too large',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate cannot be verified',
};

/**
 * The error for a failure below HTTP (connect, TLS, timeouts, resets): a TransientError with a one-line message,
 * except that PermanentError and TransientError pass through unchanged.
 */
export function networkError(module: Module, err: unknown, url: string, timeouts: TimeoutSettings): Error {
  if (err instanceof PermanentError || err instanceof TransientError) return err;
  const code = errorCode(err);
  const name = err instanceof Error ? err.name : undefined;
  let problem: string;
  if (code === 'UND_ERR_CONNECT_TIMEOUT') problem = `timeout after ${seconds(timeouts.connectTimeoutMs)} connecting`;
  else if (code === 'UND_ERR_HEADERS_TIMEOUT') problem = `timeout after ${seconds(timeouts.headersTimeoutMs)} waiting for headers`;
  else if (code === 'UND_ERR_BODY_TIMEOUT') problem = `timeout after ${seconds(timeouts.bodyTimeoutMs)} waiting for body`;
  else if (code !== undefined && CONNECTION_PROBLEMS[code]) problem = CONNECTION_PROBLEMS[code];
  else if (name === 'AbortError' || name === 'TimeoutError') problem = 'aborted';
  else problem = code ?? (err instanceof Error ? err.message.split('\n')[0] ?? 'request failed' : String(err));
  return new TransientError(`${module}: ${problem} (${url})`, { cause: err });
}
