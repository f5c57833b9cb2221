import type { Config, SourceConfig } from '../config/schema.js';
import { errorMessage, isPermanent } from '../errors.js';
import { parseFeed } from '../parsers/feed.js';
import { parseListing } from '../parsers/listing.js';
import type { ArticleRef } from '../parsers/types.js';
import type { DiscoverJob, JobContext, JobRequest } from '../queue/queue.js';
import type { SourceHealth, ValidatorStore } from '../store/store.js';
import { fetchSitemapRefs } from '../sources/sitemap.js';
import { urlKey } from '../stories/url.js';
import { findSource, tallyFor, type JobDeps } from './deps.js';

/** A discover job holds its source's lease at most this long, so a crashed worker cannot block a source forever. */
const LEASE_MS = 10 * 60 * 1000;

/** Article job id for a normalized URL key: the same article found twice is enqueued once. */
export function articleJobId(key: string): string {
  return `article-${key}`;
}

/** The URL a source is polled at. */
export function sourceUrl(source: SourceConfig): string {
  return (source.feed ?? source.listing ?? source.sitemap) as string;
}

/** Finds the article links of one source (feed items, listing links or sitemap entries), fetched with its stored validators. */
export async function fetchRefs(
  deps: { http: JobDeps['http']; store: ValidatorStore },
  source: SourceConfig,
): Promise<{ refs: ArticleRef[]; notModified: boolean; bytes: number }> {
  if (source.sitemap) return fetchSitemapRefs(deps, source.sitemap);
  const url = sourceUrl(source);
  const validators = await deps.store.getValidators(url);
  const response = await deps.http.get(url, { accept: source.feed ? 'feed' : 'html', validators, trusted: true });
  if (response.status === 'not-modified') return { refs: [], notModified: true, bytes: response.bytes };
  const refs = source.feed
    ? parseFeed(response.text, response.url).items
    : parseListing(response.text, response.url, source.articlePattern as string);
  // Validators are stored only after a successful parse: a broken document is fetched in full again next time.
  await deps.store.setValidators(url, response.validators);
  return { refs, notModified: false, bytes: response.bytes };
}

/** True when the source says the article is older than the source's `maxAgeDays`. */
export function isTooOld(ref: ArticleRef, source: SourceConfig, now: Date): boolean {
  if (!ref.publishedAt) return false;
  const published = Date.parse(ref.publishedAt);
  if (Number.isNaN(published)) return false;
  return now.getTime() - published > source.maxAgeDays * 86_400_000;
}

/** How long a source waits after `failures` failed polls in a row: base · 2^(failures-1), capped; 0 when healthy. */
export function sourceBackoffMs(failures: number, fetch: Pick<Config['fetch'], 'sourceBackoffBaseMs' | 'sourceBackoffMaxMs'>): number {
  if (failures < 1) return 0;
  // The exponent is capped so a source failing for months cannot overflow to Infinity before the cap applies.
  return Math.min(fetch.sourceBackoffBaseMs * 2 ** Math.min(failures - 1, 40), fetch.sourceBackoffMaxMs);
}

/** When a failing source may be polled again by the scheduler; undefined when it is healthy or never tried. */
export function nextAttemptAt(health: SourceHealth | undefined, fetch: Pick<Config['fetch'], 'sourceBackoffBaseMs' | 'sourceBackoffMaxMs'>): Date | undefined {
  if (!health || health.consecutiveFailures < 1 || !health.lastAttemptAt) return undefined;
  const last = Date.parse(health.lastAttemptAt);
  if (Number.isNaN(last)) return undefined;
  return new Date(last + sourceBackoffMs(health.consecutiveFailures, fetch));
}

/**
 * The discover handler: poll one source, and enqueue an article job for each link not seen before.
 * A tick whose previous discover for the same source is still running is skipped (the lease), and so is a tick
 * while the source backs off after failures — unless the job is forced (`scan`) or is the queue's retry of a tick.
 */
export function discoverJob(deps: JobDeps) {
  return async (job: DiscoverJob, ctx: JobContext): Promise<JobRequest[]> => {
    const config = deps.config();
    const source = findSource(config, job.sourceId);
    const log = deps.logger.child({ source: job.sourceId, job: 'discover' });
    if (!source || !source.enabled) {
      log.info({ outcome: 'skipped' }, 'source no longer configured or disabled');
      return [];
    }
    // A retry of this tick by the queue already waited its own backoff, so only first attempts are held back.
    if (!job.force && ctx.attempt === 1) {
      const previous = await deps.store.getSourceHealth(source.id);
      const next = nextAttemptAt(previous, config.fetch);
      if (previous && next && next.getTime() > deps.now().getTime()) {
        log.info(
          { outcome: 'backoff', failures: previous.consecutiveFailures, nextAttemptAt: next.toISOString(), tick: job.tick },
          `source failed ${previous.consecutiveFailures} time(s) in a row; next attempt at ${next.toISOString()}`,
        );
        return [];
      }
    }
    const lease = `discover:${source.id}`;
    if (!(await deps.store.tryLease(lease, LEASE_MS))) {
      log.info({ outcome: 'skipped', tick: job.tick }, 'previous discover of this source is still running; tick skipped');
      return [];
    }
    const started = Date.now();
    const tally = tallyFor(deps, source.id);
    const health = (await deps.store.getSourceHealth(source.id)) ?? { consecutiveFailures: 0 };
    health.lastAttemptAt = deps.now().toISOString();
    try {
      const { refs, notModified, bytes } = await fetchRefs(deps, source);
      const requests: JobRequest[] = [];
      const keys = new Set<string>();
      const now = deps.now();
      for (const ref of refs) {
        if (isTooOld(ref, source, now)) continue;
        const key = urlKey(ref.url);
        if (keys.has(key)) continue;
        keys.add(key);
        if (await deps.store.hasUrl(key)) continue;
        requests.push({ name: 'article', id: articleJobId(key), data: { sourceId: source.id, urlKey: key, ref } });
      }
      deps.metrics.fetch(source.id, notModified ? 'not-modified' : 'ok', bytes);
      if (tally) {
        tally.items += refs.length;
        tally.fresh += requests.length;
      }
      await deps.store.setSourceHealth(source.id, {
        ...health,
        lastSuccessAt: deps.now().toISOString(),
        consecutiveFailures: 0,
        lastError: undefined,
        lastItems: refs.length,
      });
      log.info(
        { url: sourceUrl(source), outcome: notModified ? 'not-modified' : 'ok', items: refs.length, new: requests.length, bytes, durationMs: Date.now() - started },
        notModified ? 'source not modified' : 'source polled',
      );
      return requests;
    } catch (err) {
      const message = errorMessage(err);
      tally?.errors.push(message);
      deps.metrics.fetch(source.id, isPermanent(err) ? 'failed' : 'retrying');
      await deps.store.setSourceHealth(source.id, { ...health, lastError: message, consecutiveFailures: health.consecutiveFailures + 1 });
      // Expected failures are one line without a stack; the queue decides about retries from the error type.
      log.warn({ url: sourceUrl(source), outcome: isPermanent(err) ? 'failed' : 'retrying', durationMs: Date.now() - started, error: message }, 'source poll failed');
      throw err;
    } finally {
      await deps.store.releaseLease(lease);
    }
  };
}
