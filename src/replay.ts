import { randomBytes } from 'node:crypto';
import { renderForWebhook } from './alerts/formats.js';
import { webhookHeaders } from './alerts/sign.js';
import type { Config } from './config/schema.js';
import { PermanentError } from './errors.js';
import type { HttpClient } from './http/client.js';
import type { Store } from './store/store.js';

/** What `replayStory` needs. */
export interface ReplayOptions {
  storyId: string;
  webhookId: string;
  config: Config;
  store: Pick<Store, 'getStory'>;
  http: Pick<HttpClient, 'postWebhook'>;
  /** @defaultValue () => new Date() */
  now?: () => Date;
}

/** The outcome of one replay. */
export interface ReplayResult {
  storyId: string;
  webhookId: string;
  /** The new `webhook-id` it was sent under. */
  alertId: string;
  ok: boolean;
  statusCode?: number;
  error?: string;
  durationMs: number;
}

/**
 * Re-sends a story's `story.created` to one webhook, in the webhook's format, marked `"replay": true` (standard
 * format; the chat formats say "(replay)") and under a NEW random `webhook-id`: a receiver that already processed
 * the original, and dedupes by id, takes this one as a new message. Meant for an operator who lost an alert
 * downstream. It sends once and reports; it neither retries nor records a failure. Digest webhooks get the story
 * on its own, not a digest.
 */
export async function replayStory(options: ReplayOptions): Promise<ReplayResult> {
  const webhook = options.config.alerts.webhooks.find((candidate) => candidate.id === options.webhookId);
  if (!webhook) throw new PermanentError(`replay: no webhook "${options.webhookId}" in the config`);
  if (!webhook.enabled) throw new PermanentError(`replay: webhook "${webhook.id}" is disabled in the config; set enabled: true first`);
  const story = await options.store.getStory(options.storyId);
  if (!story) throw new PermanentError(`replay: no story "${options.storyId}" in the store (it may have expired after stories.retentionDays)`);

  const now = options.now ?? (() => new Date());
  const alertId = `msg_${randomBytes(12).toString('hex')}`;
  const { body } = renderForWebhook(story, 'story.created', webhook.format, { replay: true });
  const headers = webhookHeaders(webhook.secret, alertId, Math.floor(now().getTime() / 1000), body);
  const result = await options.http.postWebhook(webhook.url, body, { ...headers }, { timeoutMs: options.config.alerts.timeoutMs });
  const base = { storyId: story.id, webhookId: webhook.id, alertId, durationMs: result.durationMs };
  if (result.ok) return { ...base, ok: true, statusCode: result.statusCode };
  return { ...base, ok: false, error: result.error, ...(result.statusCode === undefined ? {} : { statusCode: result.statusCode }) };
}
