import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { resolveFromConfig, type LoadedConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { compileTopic, parseTopic, type Topic } from './detect/index.js';
import { errorMessage, isPermanent } from './errors.js';
import { createHttpClient, type HttpClient } from './http/client.js';
import { alertJob } from './jobs/alert.js';
import { articleJob } from './jobs/article.js';
import type { Extractor, JobDeps, SourceTally } from './jobs/deps.js';
import { discoverJob } from './jobs/discover.js';
import { redactUrl } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import { ConnectionWatch, createQueue } from './queue/index.js';
import { createExtractPool } from './workers/extract-pool.js';
import type { AlertJob, ArticleJob, FailureListener, JobHandler, JobHandlers, JobName, Queue, RetryPolicy } from './queue/queue.js';
import { createStore } from './store/index.js';
import type { Store } from './store/store.js';

/** Which pipeline the process runs, and why. */
export interface Mode {
  kind: 'redis' | 'embedded';
  reason: string;
}

/** Redis mode when a Redis URL is configured (`REDIS_URL` or `redis.url`), embedded otherwise. */
export function chooseMode(config: Config, options: { forceEmbedded?: boolean } = {}): Mode {
  if (options.forceEmbedded) return { kind: 'embedded', reason: 'one-shot scan runs in process' };
  if (config.redis.url) return { kind: 'redis', reason: `REDIS_URL is set (${redactUrl(config.redis.url)})` };
  return { kind: 'embedded', reason: `REDIS_URL is not set; state is kept in ${resolve(config.state.dir)}` };
}

/** Reads and compiles the topic lexicon named by the configuration. */
export async function loadTopic(loaded: LoadedConfig): Promise<Topic> {
  const file = resolveFromConfig(loaded, loaded.config.detect.topic);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`detect: cannot read topic file ${file} (${errorMessage(err)}); check detect.topic in the config`);
  }
  return compileTopic(parseTopic(text, file));
}

/** Wraps a handler so each run's duration and outcome land in `diplowatch_job_duration_seconds`. */
function timed<N extends JobName>(name: N, metrics: Metrics, handler: JobHandler<N>): JobHandler<N> {
  return async (data, ctx) => {
    const started = performance.now();
    try {
      const next = await handler(data, ctx);
      metrics.jobDone(name, 'ok', (performance.now() - started) / 1000);
      return next;
    } catch (err) {
      const final = isPermanent(err) || ctx.attempt >= ctx.maxAttempts;
      metrics.jobDone(name, final ? 'failed' : 'retrying', (performance.now() - started) / 1000);
      throw err;
    }
  };
}

/**
 * Extraction in the main thread (`extract.workers: 0`). jsdom is loaded on first use only, so a process whose
 * pages are extracted in worker threads never holds it in its own heap.
 */
function inProcessExtractor(): Extractor {
  return async (html, url, extractOptions) => {
    const { extractArticle } = await import('./parsers/article.js');
    return extractArticle(html, url, extractOptions);
  };
}

/** Everything a running pipeline holds; `close` releases it in order. */
export interface Runtime {
  mode: Mode;
  deps: JobDeps;
  store: Store;
  queue: Queue;
  http: HttpClient;
  handlers: JobHandlers;
  onFailed: FailureListener;
  /** Swaps in a new configuration (and its topic) for the handlers. */
  update(loaded: LoadedConfig, topic: Topic): void;
  close(graceMs: number): Promise<void>;
}

/** Builds store, queue, HTTP client and job handlers for a configuration. */
export async function createRuntime(options: {
  loaded: LoadedConfig;
  logger: Logger;
  mode: Mode;
  dryRun?: boolean;
  tally?: Map<string, SourceTally>;
  extract?: Extractor;
  now?: () => Date;
  /** Replaces some retry policies (scan gives alerts a short schedule so it can exit). */
  policies?: Partial<Record<JobName, RetryPolicy>>;
  metrics?: Metrics;
  /** BullMQ lock duration and stalled-job check interval (tests shorten it; see BullmqQueueOptions). */
  stalledIntervalMs?: number;
}): Promise<Runtime> {
  const { logger, mode } = options;
  let loaded = options.loaded;
  let topic = await loadTopic(loaded);
  const config = loaded.config;
  // One watch for the store's and the queue's connections: an outage is one log line, not one per client.
  const watch = mode.kind === 'redis' ? new ConnectionWatch(logger.child({ component: 'redis' })) : undefined;
  const store = await createStore(config, logger, mode.kind, watch ? { watch } : {});
  let queue: Queue;
  try {
    queue = await createQueue(config, logger, mode.kind, options.policies, { ...(options.stalledIntervalMs ? { stalledIntervalMs: options.stalledIntervalMs } : {}), ...(watch ? { watch } : {}) });
  } catch (err) {
    await store.close();
    throw err;
  }
  const http = createHttpClient(config.fetch);
  // Extraction runs in worker threads unless the caller brings its own extractor or the config says 0.
  const pool = options.extract || config.extract.workers === 0 ? undefined : createExtractPool({ timeBudgetMs: config.extract.timeBudgetMs, ...(config.extract.workers ? { size: config.extract.workers } : {}) });
  const deps: JobDeps = {
    config: () => loaded.config,
    topic: () => topic,
    store,
    http,
    extract: options.extract ?? pool?.extract ?? inProcessExtractor(),
    logger,
    metrics: options.metrics ?? createMetrics(),
    now: options.now ?? (() => new Date()),
    dryRun: options.dryRun ?? false,
    tally: options.tally,
  };
  const handlers: JobHandlers = {
    discover: timed('discover', deps.metrics, discoverJob(deps)),
    article: timed('article', deps.metrics, articleJob(deps)),
    alert: timed('alert', deps.metrics, alertJob(deps)),
  };
  const onFailed: FailureListener = async (name, data, err) => {
    if (name === 'alert') {
      const alert = data as AlertJob;
      // Kept, never dropped: `diplowatch alerts failed` lists it and `alerts retry` resends it.
      await store.addFailedAlert({
        alertId: alert.alertId,
        webhookId: alert.webhookId,
        storyId: alert.storyId,
        event: alert.event,
        body: alert.body,
        error: err.message,
        failedAt: deps.now().toISOString(),
      });
      logger.error({ job: 'alert', webhook: alert.webhookId, story: alert.storyId, alertId: alert.alertId, outcome: 'gave-up', error: err.message }, 'alert kept as failed after its last attempt');
    } else if (name === 'article') {
      const article = data as ArticleJob;
      // A page that cannot be processed is not fetched again on every poll; its source shows the failure.
      await store.claimUrl(article.urlKey);
      const health = (await store.getSourceHealth(article.sourceId)) ?? { consecutiveFailures: 0 };
      await store.setSourceHealth(article.sourceId, { ...health, lastArticleError: `${err.message}`, lastArticleErrorAt: deps.now().toISOString() });
      logger.warn({ job: 'article', source: article.sourceId, url: article.ref.url, outcome: 'gave-up', error: err.message }, 'article given up');
    }
  };
  return {
    mode,
    deps,
    store,
    queue,
    http,
    handlers,
    onFailed,
    update(next, nextTopic) {
      loaded = next;
      topic = nextTopic;
    },
    async close(graceMs) {
      await queue.close(graceMs);
      await pool?.close();
      await http.close();
      await store.close();
    },
  };
}
