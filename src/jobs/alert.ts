import { webhookHeaders } from '../alerts/sign.js';
import type { WebhookConfig } from '../config/schema.js';
import { PermanentError, TransientError } from '../errors.js';
import type { HttpClient, WebhookResult } from '../http/client.js';
import type { AlertJob, JobContext, JobRequest } from '../queue/queue.js';
import { disableFor, webhookUrlHash } from '../store/records.js';
import type { Store, WebhookHealth } from '../store/store.js';
import type { JobDeps } from './deps.js';

/** The status by which an endpoint says it is gone for good: the webhook is disabled rather than retried. */
const GONE = 410;

/**
 * Signs and POSTs one alert body under its `webhook-id`, stamped with the send time (`nowSeconds`), never the
 * story's time: receivers reject stale timestamps, and a retry is a new send.
 */
export function sendAlert(
  http: HttpClient,
  webhook: WebhookConfig,
  alert: { alertId: string; body: string },
  options: { nowSeconds: number; timeoutMs: number; signal?: AbortSignal },
): Promise<WebhookResult> {
  const headers = webhookHeaders(webhook.secret, alert.alertId, options.nowSeconds, alert.body);
  return http.postWebhook(webhook.url, alert.body, { ...headers }, { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
}

/**
 * The webhook's disabled state when it applies to the configured URL. A disable recorded for another URL (the
 * operator pointed the webhook elsewhere) is lifted here and undefined is returned.
 */
export async function activeDisable(store: Store, webhook: WebhookConfig): Promise<WebhookHealth | undefined> {
  const health = await store.getWebhookHealth(webhook.id);
  if (!health || disableFor(health, webhook.url)) return health;
  await store.enableWebhook(webhook.id);
  return undefined;
}

/**
 * The alert handler: sign and POST one rendered alert to one webhook. The body and `webhook-id` come from the
 * job, so every attempt sends the same bytes under the same id; `webhook-timestamp` is the send time.
 * A 2xx ends the job; 408/429/5xx/timeouts are retried by the queue (honouring Retry-After); a 3xx or another
 * 4xx is permanent and the alert is kept as failed. A 410 also disables the webhook: later alerts to it are
 * kept as failed without a request, until `diplowatch alerts retry` delivers one or its `url` changes.
 */
export function alertJob(deps: JobDeps) {
  return async (job: AlertJob, ctx: JobContext): Promise<JobRequest[]> => {
    const config = deps.config();
    const webhook = config.alerts.webhooks.find((candidate) => candidate.id === job.webhookId);
    const log = deps.logger.child({ job: 'alert', webhook: job.webhookId, story: job.storyId, alertId: job.alertId });
    if (!webhook) throw new PermanentError(`alert: webhook "${job.webhookId}" is no longer configured`);
    if (!webhook.enabled) throw new PermanentError(`alert: webhook "${job.webhookId}" is disabled`);
    const disabled = await activeDisable(deps.store, webhook);
    if (disabled) {
      deps.metrics.alert(webhook.id, 'failed');
      throw new PermanentError(
        `alert: webhook "${webhook.id}" disabled since ${disabled.disabledAt} (${disabled.reason}); not attempted — ` +
          '`diplowatch alerts retry` re-enables it once the endpoint answers 2xx',
      );
    }
    const nowSeconds = Math.floor(deps.now().getTime() / 1000);
    const result = await sendAlert(deps.http, webhook, job, { nowSeconds, timeoutMs: config.alerts.timeoutMs, signal: ctx.signal });
    if (result.ok) {
      deps.metrics.alert(webhook.id, 'sent');
      log.info({ outcome: 'sent', event: job.event, status: result.statusCode, attempt: ctx.attempt, durationMs: result.durationMs }, 'alert delivered');
      return [];
    }
    const message = `alert: ${result.error} (webhook ${webhook.id})`;
    log.warn({ outcome: result.permanent ? 'failed' : 'retrying', status: result.statusCode, attempt: ctx.attempt, maxAttempts: ctx.maxAttempts, durationMs: result.durationMs, error: result.error }, 'alert not delivered');
    deps.metrics.alert(webhook.id, result.permanent || ctx.attempt >= ctx.maxAttempts ? 'failed' : 'retrying');
    if (result.statusCode === GONE) {
      const health: WebhookHealth = { disabled: true, reason: result.error, disabledAt: deps.now().toISOString(), urlHash: webhookUrlHash(webhook.url) };
      if (await deps.store.disableWebhook(webhook.id, health)) {
        log.error(
          { outcome: 'webhook-disabled', status: result.statusCode, reason: result.error },
          'webhook disabled: its endpoint answered 410 Gone; later alerts are kept as failed (see `diplowatch alerts failed`) until `diplowatch alerts retry` delivers one or its url changes',
        );
      }
    }
    if (result.permanent) throw new PermanentError(message);
    throw new TransientError(message, result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs });
  };
}
