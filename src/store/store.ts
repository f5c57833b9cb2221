import type { Story, StoredArticle, StoryCandidate, TextFingerprint } from '../stories/types.js';
import type { EventSignature } from '../detect/types.js';

/** ETag / Last-Modified kept between polls of one URL. */
export interface FetchValidators {
  etag?: string;
  lastModified?: string;
}

/** The part of the Store that conditional GET needs: a poller without state passes one that remembers nothing. */
export type ValidatorStore = Pick<Store, 'getValidators' | 'setValidators'>;

/** What the service knows about one source's recent fetches. */
export interface SourceHealth {
  lastAttemptAt?: string;
  lastSuccessAt?: string;
  lastError?: string;
  consecutiveFailures: number;
  lastItems?: number;
  /** The last article of this source that failed for good (too big, over the time budget, refused…), and when. */
  lastArticleError?: string;
  lastArticleErrorAt?: string;
}

/** A delivery that ran out of retries; kept so nothing is dropped silently. */
export interface FailedAlert {
  alertId: string;
  webhookId: string;
  storyId: string;
  event: string;
  body: string;
  error: string;
  failedAt: string;
}

/** A webhook switched off after its endpoint answered 410 Gone; alerts to it are kept as failed, not sent. */
export interface WebhookHealth {
  disabled: true;
  /** Why, e.g. `webhook: HTTP 410 (127.0.0.1:8080)`. */
  reason: string;
  /** ISO time it was disabled. */
  disabledAt: string;
  /** SHA-256 (hex) of the URL that answered 410: a config change to another URL lifts the disable. */
  urlHash: string;
}

/** A digest rendered but not yet acknowledged with a 2xx; it is re-sent as is (same id, same bytes). */
export interface PendingDigest {
  /** The Standard Webhooks `webhook-id`. */
  id: string;
  since: string;
  until: string;
  body: string;
  storyIds: string[];
}

/** Where one digest webhook stands. */
export interface DigestCursor {
  /** Stories created at or after this time (ISO) go in the next digest. */
  since: string;
  pending?: PendingDigest;
}

/**
 * The Store port: everything diplowatch remembers. Two implementations: Redis (`redis-store.ts`) and
 * embedded files under `state.dir` (`file-store.ts`). Every method is safe to call from several
 * jobs at once; the Redis one also across processes.
 */
export interface Store {
  readonly kind: 'redis' | 'embedded';
  /** Atomically records a normalized URL key; resolves true when it had not been seen before. */
  claimUrl(key: string): Promise<boolean>;
  /** True when the normalized URL key was claimed before. */
  hasUrl(key: string): Promise<boolean>;
  /** Forgets a claimed URL key, so a later poll may process it again (used when a job fails permanently before extraction could start). */
  releaseUrl(key: string): Promise<void>;

  /**
   * Takes a named lease for `ttlMs` unless someone holds it; resolves true when taken. Used so one source is
   * never polled by two discover jobs at once, even from two processes.
   */
  tryLease(name: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string): Promise<void>;

  getValidators(url: string): Promise<FetchValidators | undefined>;
  setValidators(url: string, validators: FetchValidators): Promise<void>;

  /**
   * Runs `fn` while holding the story lock: story assignment (read candidates, decide, save) is serialized,
   * across processes in Redis mode, so two copies of one wire story can never create two stories.
   */
  withStoryLock<T>(fn: () => Promise<T>): Promise<T>;
  /** Stories that might hold an article with this fingerprint or signature, updated at or after `sinceIso`. */
  findStoryCandidates(fingerprint: TextFingerprint, signature: EventSignature, sinceIso: string): Promise<StoryCandidate[]>;
  /** Saves the story (new or updated) and indexes the article under it. */
  saveStory(story: Story, article: StoredArticle): Promise<void>;
  getStory(id: string): Promise<Story | undefined>;
  /** Stories newest first (by createdAt), optionally only those created at or after `since`. */
  listStories(options?: { since?: string; limit?: number }): Promise<Story[]>;

  /** Records an alert as failed past its retries. */
  addFailedAlert(failed: FailedAlert): Promise<void>;
  listFailedAlerts(): Promise<FailedAlert[]>;
  removeFailedAlert(alertId: string): Promise<void>;

  /**
   * Marks a webhook disabled unless it already is; resolves true when this call disabled it (so the event is
   * logged once, even when several jobs or processes see the 410 at the same time).
   */
  disableWebhook(webhookId: string, health: WebhookHealth): Promise<boolean>;
  /** The webhook's disabled state, or undefined when it is not disabled. */
  getWebhookHealth(webhookId: string): Promise<WebhookHealth | undefined>;
  /** Lifts a disable; resolves true when the webhook was disabled. */
  enableWebhook(webhookId: string): Promise<boolean>;

  /** The digest cursor of a webhook; undefined before its first digest run. */
  getDigestCursor(webhookId: string): Promise<DigestCursor | undefined>;
  /** Replaces a webhook's digest cursor; durable when the promise resolves (the file store writes at once). */
  setDigestCursor(webhookId: string, cursor: DigestCursor): Promise<void>;

  setSourceHealth(sourceId: string, health: SourceHealth): Promise<void>;
  getSourceHealth(sourceId: string): Promise<SourceHealth | undefined>;

  /** Resolves when the backing storage is reachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
