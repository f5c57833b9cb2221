import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SourceHealth } from './store/store.js';

/** How one fetch of a source ended. */
export type FetchOutcome = 'ok' | 'not-modified' | 'failed' | 'retrying';
/** How one alert delivery attempt ended. */
export type AlertOutcome = 'sent' | 'failed' | 'retrying';
/** How one job attempt ended. */
export type JobOutcome = 'ok' | 'failed' | 'retrying';
/** What happened to a story. */
export type StoryEvent = 'created' | 'updated';

/** Jobs per kind and state, as `Queue.counts()` returns them. */
export type QueueCounts = Record<string, Partial<Record<string, number>>>;

/** Where the scrape-time gauges read from; attached by the server (or by whoever owns the queue and store). */
export interface MetricsSources {
  /** Queue sizes per job kind and state, e.g. `queue.counts()`. */
  queueCounts?: () => Promise<QueueCounts>;
  /** The configured source ids and where their health is kept (`store.getSourceHealth`). */
  sourceHealth?: { sourceIds: () => string[]; get: (sourceId: string) => Promise<SourceHealth | undefined> };
}

/** The service's Prometheus metrics, with typed methods for the job handlers. */
export interface Metrics {
  /** The registry holding every diplowatch metric and the Node.js process metrics (not prom-client's global one). */
  readonly registry: Registry;
  /** One fetch of a source's feed or listing; `not-modified` also counts in `diplowatch_not_modified_total`. */
  fetch(source: string, outcome: FetchOutcome, bytes?: number): void;
  /** One article page extracted. */
  articleExtracted(source: string): void;
  /** One article judged on topic. */
  match(source: string): void;
  /** One story created, or updated by a later article. */
  story(event: StoryEvent): void;
  /** One alert delivery attempt. */
  alert(webhook: string, outcome: AlertOutcome): void;
  /** One job attempt finished, after `seconds`. */
  jobDone(job: string, outcome: JobOutcome, seconds: number): void;
  /** Sets where the scrape-time gauges read from; later calls replace earlier ones field by field. */
  observe(sources: MetricsSources): void;
  /** The Prometheus text exposition of every metric. */
  text(): Promise<string>;
  /** The Content-Type of `text()`. */
  readonly contentType: string;
}

/** Job durations run from a 304 answered in milliseconds to an alert timing out after its 15 s default and more. */
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Creates a fresh registry with every diplowatch metric and the default Node.js metrics (event-loop lag included). */
export function createMetrics(options: MetricsSources & { now?: () => number } = {}): Metrics {
  const registry = new Registry();
  const now = options.now ?? Date.now;
  const attached: MetricsSources = { queueCounts: options.queueCounts, sourceHealth: options.sourceHealth };
  const registers = [registry];

  const fetches = new Counter({ name: 'diplowatch_fetches_total', help: 'Fetches of source feeds and listing pages, by outcome.', labelNames: ['source', 'outcome'] as const, registers });
  const fetchBytes = new Counter({ name: 'diplowatch_fetch_bytes_total', help: 'Bytes of source feeds and listing pages read.', labelNames: ['source'] as const, registers });
  const notModified = new Counter({ name: 'diplowatch_not_modified_total', help: 'Source fetches answered 304 Not Modified.', labelNames: ['source'] as const, registers });
  const extracted = new Counter({ name: 'diplowatch_articles_extracted_total', help: 'Article pages extracted.', labelNames: ['source'] as const, registers });
  const matches = new Counter({ name: 'diplowatch_matches_total', help: 'Articles judged on topic.', labelNames: ['source'] as const, registers });
  const stories = new Counter({ name: 'diplowatch_stories_total', help: 'Stories created, or updated by a later article.', labelNames: ['event'] as const, registers });
  const alerts = new Counter({ name: 'diplowatch_alerts_total', help: 'Alert delivery attempts, by outcome.', labelNames: ['webhook', 'outcome'] as const, registers });
  const jobDuration = new Histogram({
    name: 'diplowatch_job_duration_seconds',
    help: 'Duration of job attempts, by job kind and outcome.',
    labelNames: ['job', 'outcome'] as const,
    buckets: JOB_BUCKETS,
    registers,
  });

  new Gauge({
    name: 'diplowatch_queue_jobs',
    help: 'Jobs in the queue, by job kind and state (read at scrape time).',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      const counts = await attached.queueCounts?.();
      for (const [queue, states] of Object.entries(counts ?? {})) {
        for (const [state, value] of Object.entries(states)) {
          if (typeof value === 'number') this.set({ queue, state }, value);
        }
      }
    },
  });

  new Gauge({
    name: 'diplowatch_source_last_success_seconds',
    help: 'Seconds since the last successful poll of each source (read at scrape time; absent for sources never polled successfully).',
    labelNames: ['source'] as const,
    registers,
    async collect() {
      // Reset so a source removed from the config, or never successful, has no stale sample.
      this.reset();
      const health = attached.sourceHealth;
      if (!health) return;
      const ids = health.sourceIds();
      const records = await Promise.all(ids.map((id) => health.get(id)));
      ids.forEach((source, index) => {
        const last = records[index]?.lastSuccessAt;
        const at = last === undefined ? Number.NaN : Date.parse(last);
        if (!Number.isNaN(at)) this.set({ source }, Math.max(0, (now() - at) / 1000));
      });
    },
  });

  collectDefaultMetrics({ register: registry });

  return {
    registry,
    contentType: registry.contentType,
    fetch(source, outcome, bytes) {
      fetches.inc({ source, outcome });
      if (outcome === 'not-modified') notModified.inc({ source });
      if (bytes !== undefined && bytes > 0) fetchBytes.inc({ source }, bytes);
    },
    articleExtracted: (source) => extracted.inc({ source }),
    match: (source) => matches.inc({ source }),
    story: (event) => stories.inc({ event }),
    alert: (webhook, outcome) => alerts.inc({ webhook, outcome }),
    jobDone: (job, outcome, seconds) => jobDuration.observe({ job, outcome }, seconds),
    observe(sources) {
      if (sources.queueCounts) attached.queueCounts = sources.queueCounts;
      if (sources.sourceHealth) attached.sourceHealth = sources.sourceHealth;
    },
    text: () => registry.metrics(),
  };
}
