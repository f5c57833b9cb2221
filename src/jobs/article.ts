import type { Config } from '../config/schema.js';
import { detect } from '../detect/index.js';
import { prescreen } from '../detect/prescreen.js';
import { errorMessage, isPermanent, PermanentError } from '../errors.js';
import { renderForWebhook, type WebhookFormat } from '../alerts/formats.js';
import { alertId } from '../alerts/payload.js';
import type { AlertEvent } from '../alerts/types.js';
import type { ArticleJob, JobContext, JobRequest } from '../queue/queue.js';
import { assignStory } from '../stories/assign.js';
import { fingerprint } from '../stories/fingerprint.js';
import type { Assignment, Story } from '../stories/types.js';
import { urlKey } from '../stories/url.js';
import { findSource, tallyFor, type JobDeps } from './deps.js';

/** Alert job id: one per (story, event, webhook, article), so a replay of the same work enqueues nothing new. */
export function alertJobId(id: string): string {
  return `alert-${id}`;
}

/**
 * The alert jobs for one assignment: one per enabled webhook that wants this event, its body rendered once per
 * format. Digest webhooks get none: their stories go out in the next digest (`jobs/digest.ts`).
 */
export function alertRequests(config: Config, story: Story, event: AlertEvent, articleUrl: string): JobRequest[] {
  const wanted = event === 'story.created' ? 'created' : 'updated';
  const bodies = new Map<WebhookFormat, string>();
  const bodyFor = (format: WebhookFormat): string => {
    let body = bodies.get(format);
    if (body === undefined) {
      body = renderForWebhook(story, event, format).body;
      bodies.set(format, body);
    }
    return body;
  };
  return config.alerts.webhooks
    .filter((webhook) => webhook.enabled && webhook.digest === undefined && webhook.events.includes(wanted))
    .map((webhook) => {
      const id = alertId(story.id, event, webhook.id, articleUrl);
      return { name: 'alert', id: alertJobId(id), data: { webhookId: webhook.id, storyId: story.id, event, alertId: id, body: bodyFor(webhook.format) } };
    });
}

/**
 * The article handler: fetch the page, extract it, decide whether it is on topic, assign it to a story
 * (under the store's story lock) and return the alerts to send. The URL is marked seen only at the end, so a
 * worker killed half-way leaves the job to be retried; a retry finds its own article already in the story
 * (`duplicate`) and sends nothing twice.
 */
export function articleJob(deps: JobDeps) {
  return async (job: ArticleJob, ctx: JobContext): Promise<JobRequest[]> => {
    const config = deps.config();
    const source = findSource(config, job.sourceId);
    const outlet = source?.name ?? job.sourceId;
    const log = deps.logger.child({ source: job.sourceId, job: 'article', url: job.ref.url });
    const tally = tallyFor(deps, job.sourceId);
    const started = Date.now();
    try {
      const response = await deps.http.get(job.ref.url, { accept: 'html', trusted: false, signal: ctx.signal });
      if (response.status === 'not-modified') throw new PermanentError(`article: unexpected 304 for ${job.ref.url}`);
      // Most pages cannot be on topic: skip jsdom and Readability for those whose paragraphs never pair the sides.
      const screen = config.detect.prescreen ? prescreen(response.text, deps.topic(), { title: job.ref.title }) : undefined;
      if (screen && !screen.pass) {
        if (tally) tally.articles += 1;
        deps.metrics.fetch(job.sourceId, 'ok', response.bytes);
        await markSeen(deps, job.urlKey, urlKey(response.url));
        log.info({ outcome: 'no-match', prescreen: true, reason: screen.reason, durationMs: Date.now() - started }, 'article not on topic');
        return [];
      }
      const article = await deps.extract(response.text, response.url, {
        maxElemsToParse: config.extract.maxElemsToParse,
        maxHtmlLength: config.extract.maxHtmlBytes,
        fallbackPublishedAt: job.ref.publishedAt,
        fallbackTitle: job.ref.title,
        now: deps.now().getTime(),
      });
      if (!article.lang && source?.language) article.lang = source.language;
      if (tally) tally.articles += 1;
      deps.metrics.fetch(job.sourceId, 'ok', response.bytes);
      deps.metrics.articleExtracted(job.sourceId);

      // A page reached under another URL (redirect, canonical) that was already handled is not handled twice.
      const canonicalKey = urlKey(article.canonicalUrl);
      if (canonicalKey !== job.urlKey && (await deps.store.hasUrl(canonicalKey))) {
        await deps.store.claimUrl(job.urlKey);
        log.info({ outcome: 'duplicate-url', canonical: article.canonicalUrl, durationMs: Date.now() - started }, 'article already seen under its canonical URL');
        return [];
      }

      const verdict = detect({ title: article.title, text: article.text, lang: article.lang, publishedAt: article.publishedAt }, deps.topic(), { threshold: config.detect.threshold });
      if (!verdict.match) {
        await markSeen(deps, job.urlKey, canonicalKey);
        log.info({ outcome: 'no-match', score: verdict.score, durationMs: Date.now() - started }, 'article not on topic');
        return [];
      }
      if (tally) tally.matches += 1;
      deps.metrics.match(job.sourceId);

      const now = deps.now();
      const windowStart = new Date(now.getTime() - config.stories.windowDays * 86_400_000).toISOString();
      const print = fingerprint(article.text);
      const assignment: Assignment = await deps.store.withStoryLock(async () => {
        const candidates = await deps.store.findStoryCandidates(print, verdict.signature, windowStart);
        const decided = assignStory(
          {
            url: article.url,
            canonicalUrl: article.canonicalUrl,
            title: article.title,
            outlet,
            publishedAt: article.publishedAt,
            score: verdict.score,
            reasons: verdict.reasons.filter((reason) => reason.weight > 0).map((reason) => reason.span),
            signature: verdict.signature,
            fingerprint: print,
          },
          candidates,
          { windowDays: config.stories.windowDays, similarityThreshold: config.stories.similarityThreshold },
          now.toISOString(),
        );
        if (decided.kind !== 'duplicate') {
          await deps.store.saveStory(decided.story, { storyId: decided.story.id, url: article.canonicalUrl, publishedAt: article.publishedAt, fingerprint: print });
        }
        return decided;
      });
      await markSeen(deps, job.urlKey, canonicalKey);
      log.info(
        { outcome: `story-${assignment.kind}`, story: assignment.story.id, score: verdict.score, reason: assignment.reason, durationMs: Date.now() - started },
        `article matched: story ${assignment.kind}`,
      );
      if (assignment.kind !== 'duplicate') deps.metrics.story(assignment.kind);
      if (assignment.kind === 'duplicate' || deps.dryRun) return [];
      const event: AlertEvent = assignment.kind === 'created' ? 'story.created' : 'story.updated';
      return alertRequests(config, assignment.story, event, article.canonicalUrl);
    } catch (err) {
      const message = errorMessage(err);
      tally?.errors.push(message);
      log.warn({ outcome: isPermanent(err) ? 'failed' : 'retrying', attempt: ctx.attempt, durationMs: Date.now() - started, error: message }, 'article failed');
      throw err;
    }
  };
}

async function markSeen(deps: JobDeps, key: string, canonicalKey: string): Promise<void> {
  await deps.store.claimUrl(key);
  if (canonicalKey !== key) await deps.store.claimUrl(canonicalKey);
}
