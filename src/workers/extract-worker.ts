/**
 * The worker-thread side of the extraction pool: extracts one page per message with the in-process extractor
 * (which trims the page itself) and posts back the article or the error as data.
 */
import { parentPort } from 'node:worker_threads';
import { extractArticle } from '../parsers/article.js';
import { serializeError, type ExtractRequest, type WorkerReply } from './protocol.js';

const port = parentPort;
if (port === null) throw new Error('extract-worker: must be started as a worker thread');

port.on('message', (request: ExtractRequest) => {
  let reply: WorkerReply;
  try {
    reply = { type: 'article', article: extractArticle(request.html, request.url, request.options) };
  } catch (err) {
    reply = { type: 'error', error: serializeError(err) };
  }
  port.postMessage(reply);
});

// Sent once jsdom and Readability have loaded, so a page's time budget never includes the worker's start-up.
port.postMessage({ type: 'ready' } satisfies WorkerReply);
