/**
 * The messages between the extraction pool and its worker threads. Errors cross the thread boundary as plain
 * data (structured clone keeps only `Error`'s own fields), so they are rebuilt here as the project's classes.
 */
import { PermanentError, TransientError } from '../errors.js';
import type { Article, ExtractOptions } from '../parsers/types.js';

/** One page for a worker to extract. */
export interface ExtractRequest {
  html: string;
  url: string;
  options: ExtractOptions;
}

/** An error thrown in a worker, as plain data. */
export interface SerializedError {
  name: string;
  message: string;
  retryAfterMs?: number;
}

/** What a worker sends back: that it has loaded, or the outcome of its current page. */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'article'; article: Article }
  | { type: 'error'; error: SerializedError };

/** Turns a thrown value into data that survives postMessage with its class name. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof TransientError && err.retryAfterMs !== undefined) {
    return { name: err.name, message: err.message, retryAfterMs: err.retryAfterMs };
  }
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

/** Rebuilds an error sent by a worker as the same class, with the same message. */
export function reviveError(data: SerializedError): Error {
  if (data.name === 'PermanentError') return new PermanentError(data.message);
  if (data.name === 'TransientError') {
    return new TransientError(data.message, data.retryAfterMs === undefined ? undefined : { retryAfterMs: data.retryAfterMs });
  }
  const err = new Error(data.message);
  err.name = data.name;
  return err;
}

/** Narrows a message from a worker; anything else is a bug in the worker, not a page problem. */
export function isWorkerReply(message: unknown): message is WorkerReply {
  if (typeof message !== 'object' || message === null || !('type' in message)) return false;
  const { type } = message;
  return type === 'ready' || (type === 'article' && 'article' in message) || (type === 'error' && 'error' in message);
}
