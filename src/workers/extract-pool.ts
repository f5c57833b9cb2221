/**
 * Article extraction off the event loop: a fixed pool of worker threads, each extracting one page at a time.
 * jsdom and Readability take tens to hundreds of milliseconds of synchronous work per page; in the main thread
 * that would stall fetching, the queue's heartbeats and the HTTP server. A page over its time budget has its
 * worker terminated and replaced, so one pathological page never holds a slot for longer than the budget.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PermanentError, TransientError } from '../errors.js';
import type { Extractor } from '../jobs/deps.js';
import type { Article, ExtractOptions } from '../parsers/types.js';
import { isWorkerReply, reviveError, type ExtractRequest, type WorkerReply } from './protocol.js';

/** Options of {@link createExtractPool}. */
export interface ExtractPoolOptions {
  /**
   * Number of worker threads. The main thread keeps a core for fetching, decompressing, screening and detecting,
   * and the pre-screen leaves few pages to extract: measured on 2 cores, one worker was faster than two and
   * used 90 MB less. @defaultValue os.availableParallelism() - 1, at least 1
   */
  size?: number;
  /** Longest a worker may spend on one page before it is terminated and the page rejected. @defaultValue 10_000 */
  timeBudgetMs?: number;
  /**
   * Heap limit of each worker (V8 old generation). A page that needs more crashes only its worker and is rejected
   * with a PermanentError. @defaultValue 512
   */
  maxHeapMb?: number;
  /** Pages allowed to wait for a free worker; beyond it `extract` rejects with a TransientError. @defaultValue Infinity */
  maxQueue?: number;
}

/** A pool of extraction worker threads. */
export interface ExtractPool {
  /** Extracts one page in a worker; rejects with the extractor's own PermanentError/TransientError. */
  extract: Extractor;
  /** Rejects waiting and running pages with a TransientError and terminates every worker. */
  close(): Promise<void>;
}

interface Task {
  request: ExtractRequest;
  resolve(article: Article): void;
  reject(err: Error): void;
  timer?: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  task: Task | undefined;
}

const DEFAULT_TIME_BUDGET_MS = 10_000;
// A trimmed page is at most 2 M characters (the extractor's cap); jsdom needs well under 512 MB for that, so more
// means a page built to exhaust memory, and the cap keeps it from taking the whole process down.
const DEFAULT_MAX_HEAP_MB = 512;

/** Starts a worker from the compiled `.js` sibling, or from the `.ts` source when this module runs as TypeScript. */
function startWorker(maxHeapMb: number): Worker {
  const ownUrl = import.meta.url;
  const resourceLimits = { maxOldGenerationSizeMb: maxHeapMb };
  if (!ownUrl.endsWith('.ts')) return new Worker(new URL('./extract-worker.js', ownUrl), { resourceLimits });
  // `--import tsx` in a worker's execArgv does not reach the worker's own entry module on Node 20 (the hooks it
  // registers are not applied there: ERR_UNKNOWN_FILE_EXTENSION), so the worker loads its source through tsx's
  // API instead, resolved from this file so the process's working directory does not matter.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./extract-worker.ts', ownUrl).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((api) => api.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(ownUrl)}));`;
  return new Worker(bootstrap, { eval: true, resourceLimits });
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** Creates a pool of extraction workers; workers start when pages arrive and idle ones never keep the process alive. */
export function createExtractPool(options: ExtractPoolOptions = {}): ExtractPool {
  const size = Math.max(1, Math.floor(options.size ?? availableParallelism() - 1));
  const timeBudgetMs = options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  const maxHeapMb = options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB;
  const maxQueue = options.maxQueue ?? Number.POSITIVE_INFINITY;
  const slots = new Set<Slot>();
  const waiting: Task[] = [];
  let closed = false;

  function settle(slot: Slot, reply: WorkerReply): void {
    if (reply.type === 'ready') {
      slot.ready = true;
    } else {
      const task = slot.task;
      slot.task = undefined;
      if (task !== undefined) {
        clearTimeout(task.timer);
        if (reply.type === 'article') task.resolve(reply.article);
        else task.reject(reviveError(reply.error));
      }
    }
    // An idle worker must not keep the process alive; a busy or starting one must, or a pending page would be lost.
    slot.worker.unref();
    pump();
  }

  /** Drops a worker that died or was terminated; its page, if any, gets `err`. */
  function retire(slot: Slot, err: (url: string) => Error): void {
    if (!slots.delete(slot)) return;
    const task = slot.task;
    slot.task = undefined;
    if (task !== undefined) {
      clearTimeout(task.timer);
      task.reject(err(task.request.url));
    } else if (!slot.ready) {
      // A worker that cannot start will not start on the next try either; fail the waiting pages rather than
      // respawning in a loop. They are transient: a later attempt may find the pool healthy.
      for (const waiter of waiting.splice(0)) waiter.reject(err(waiter.request.url));
    }
    pump();
  }

  function spawn(): void {
    const slot: Slot = { worker: startWorker(maxHeapMb), ready: false, task: undefined };
    slots.add(slot);
    slot.worker.on('message', (message: unknown) => {
      if (isWorkerReply(message)) settle(slot, message);
    });
    slot.worker.on('error', (error) => {
      const outOfMemory = 'code' in error && error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      retire(slot, (url) => {
        // Running out of heap on a page happens again on every retry; any other crash might not.
        if (outOfMemory && slot.ready) return new PermanentError(`extract: over the ${maxHeapMb} MB memory limit (${url})`, { cause: error });
        const what = slot.ready ? 'worker crashed' : 'worker failed to start';
        return new TransientError(`extract: ${what}: ${error.message} (${url})`, { cause: error });
      });
      void slot.worker.terminate();
    });
    slot.worker.on('exit', (code) => {
      retire(slot, (url) => new TransientError(`extract: worker exited with code ${code} (${url})`));
    });
  }

  function dispatch(slot: Slot, task: Task): void {
    slot.task = task;
    slot.worker.ref();
    task.timer = setTimeout(() => {
      retire(slot, (url) => new PermanentError(`extract: over the ${seconds(timeBudgetMs)} time budget (${url})`));
      void slot.worker.terminate();
    }, timeBudgetMs);
    slot.worker.postMessage(task.request);
  }

  function pump(): void {
    if (closed) return;
    for (const slot of slots) {
      const task = slot.ready && slot.task === undefined ? waiting.shift() : undefined;
      if (task !== undefined) dispatch(slot, task);
    }
    let starting = 0;
    for (const slot of slots) if (!slot.ready) starting++;
    while (waiting.length > starting && slots.size < size) {
      spawn();
      starting++;
    }
  }

  const extract: Extractor = (html: string, url: string, extractOptions: ExtractOptions) =>
    new Promise<Article>((resolve, reject) => {
      if (closed) {
        reject(new TransientError(`extract: pool closed (${url})`));
        return;
      }
      if (waiting.length >= maxQueue) {
        reject(new TransientError(`extract: ${waiting.length} pages already waiting for a worker (${url})`));
        return;
      }
      waiting.push({ request: { html, url, options: extractOptions }, resolve, reject });
      pump();
    });

  async function close(): Promise<void> {
    closed = true;
    for (const task of waiting.splice(0)) task.reject(new TransientError(`extract: pool closed (${task.request.url})`));
    const workers: Worker[] = [];
    for (const slot of [...slots]) {
      workers.push(slot.worker);
      retire(slot, (url) => new TransientError(`extract: pool closed (${url})`));
    }
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  return { extract, close };
}
