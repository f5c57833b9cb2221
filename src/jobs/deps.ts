import type { Logger } from 'pino';
import type { Config, SourceConfig } from '../config/schema.js';
import type { Topic } from '../detect/index.js';
import type { HttpClient } from '../http/client.js';
import type { Metrics } from '../metrics.js';
import type { Article, ExtractOptions } from '../parsers/types.js';
import type { Store } from '../store/store.js';

/** Extracts an article from HTML: in process, or in a worker thread. */
export type Extractor = (html: string, url: string, options: ExtractOptions) => Promise<Article>;

/** Per-source counters of one pass, for `scan`'s table and `sources check`. */
export interface SourceTally {
  items: number;
  fresh: number;
  articles: number;
  matches: number;
  errors: string[];
}

/** What the job handlers need: the ports and the current configuration, passed in (never read from a global). */
export interface JobDeps {
  /** The current configuration; a reload swaps what this returns. */
  config(): Config;
  /** The compiled topic of the current configuration. */
  topic(): Topic;
  store: Store;
  http: HttpClient;
  extract: Extractor;
  logger: Logger;
  /** Prometheus counters; the handlers record fetches, matches, stories and alerts. */
  metrics: Metrics;
  /** The clock, so tests and benchmarks can pin it. */
  now(): Date;
  /** When true, stories are recorded but no alert is enqueued (`scan --dry-run`). */
  dryRun?: boolean;
  /** Filled in when a caller wants per-source counts (scan). */
  tally?: Map<string, SourceTally>;
}

/** Finds a configured source by id. */
export function findSource(config: Config, id: string): SourceConfig | undefined {
  return config.sources.find((source) => source.id === id);
}

/** Returns the tally for a source, creating it on first use; undefined when nobody asked for tallies. */
export function tallyFor(deps: JobDeps, sourceId: string): SourceTally | undefined {
  if (!deps.tally) return undefined;
  let tally = deps.tally.get(sourceId);
  if (!tally) {
    tally = { items: 0, fresh: 0, articles: 0, matches: 0, errors: [] };
    deps.tally.set(sourceId, tally);
  }
  return tally;
}
