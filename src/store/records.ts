import { createHash } from 'node:crypto';
import type { EventSignature } from '../detect/types.js';
import type { Story, StoredArticle, TextFingerprint } from '../stories/types.js';
import type { DigestCursor, FailedAlert, SourceHealth, WebhookHealth } from './store.js';

/**
 * Index keys under which a story is found again: each LSH band of its articles' fingerprints, the exact
 * content hash, and each Latin American state of its signature. Both stores index and look up with these.
 */
export function candidateIndexKeys(fingerprint: TextFingerprint, signature: EventSignature): { bands: string[]; states: string[] } {
  const bands = new Set(fingerprint.bands);
  if (fingerprint.contentHash) bands.add(`content=${fingerprint.contentHash}`);
  return { bands: [...bands], states: [...new Set(signature.latamStates)] };
}

/** Stories sorted newest first by createdAt (ties by id, so the order is stable). */
export function newestFirst(stories: Story[]): Story[] {
  return [...stories].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || a.id.localeCompare(b.id));
}

function record(value: unknown, what: string, required: string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`store: stored ${what} is not an object`);
  const fields = value as Record<string, unknown>;
  for (const field of required) {
    if (fields[field] === undefined) throw new Error(`store: stored ${what} has no "${field}"`);
  }
  return fields;
}

/** A stored story read back from JSON, checked for the fields everything else relies on. */
export function asStory(value: unknown): Story {
  return record(value, 'story', ['id', 'createdAt', 'updatedAt', 'articles', 'signature']) as unknown as Story;
}

/** A stored article read back from JSON. */
export function asStoredArticle(value: unknown): StoredArticle {
  return record(value, 'article', ['storyId', 'url', 'fingerprint']) as unknown as StoredArticle;
}

/** A failed alert read back from JSON. */
export function asFailedAlert(value: unknown): FailedAlert {
  return record(value, 'failed alert', ['alertId', 'failedAt']) as unknown as FailedAlert;
}

/** Source health read back from JSON. */
export function asSourceHealth(value: unknown): SourceHealth {
  return record(value, 'source health', ['consecutiveFailures']) as unknown as SourceHealth;
}

/** A webhook's disabled state read back from JSON. */
export function asWebhookHealth(value: unknown): WebhookHealth {
  return record(value, 'webhook health', ['disabled', 'reason', 'disabledAt', 'urlHash']) as unknown as WebhookHealth;
}

/** SHA-256 (hex) of a webhook URL: what a disable remembers, since the URL itself may hold a token. */
export function webhookUrlHash(url: string): string {
  return createHash('sha256').update(url).digest('hex');
}

/** The recorded disable when it was recorded for this URL; a disable of an earlier URL no longer applies. */
export function disableFor(health: WebhookHealth | undefined, url: string): WebhookHealth | undefined {
  return health && health.urlHash === webhookUrlHash(url) ? health : undefined;
}

/** A digest cursor read back from JSON. */
export function asDigestCursor(value: unknown): DigestCursor {
  return record(value, 'digest cursor', ['since']) as unknown as DigestCursor;
}
