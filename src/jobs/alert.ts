import { webhookHeaders } from '../alerts/sign.js';
import { PermanentError, TransientError } from '../errors.js';
import type { AlertJob, JobContext, JobRequest } from '../queue/queue.js';
import type { JobDeps } from './deps.js';

/**
 * The alert handler: sign and POST one rendered alert to one webhook. The body and `webhook-id` come from the
 * job, so every attempt sends the same bytes under the same id; `webhook-timestamp` is the send time.
 * A 2xx ends the job; 408/429/5xx/timeouts are retried by the queue (honouring Retry-After); a 3xx or another
 * 4xx is permanent and the alert is kept as failed.
 */
export function alertJob(deps: JobDeps) {
  return async (job: AlertJob, ctx: JobContext): Promise<JobRequest[]> => {
    const config = deps.config();
    const webhook = config.alerts.webhooks.find((candidate) => candidate.id === job.webhookId);
    const log = deps.logger.child({ job: 'alert', webhook: job.webhookId, story: job.storyId, alertId: job.alertId });
    if (!webhook) throw new PermanentError(`alert: webhook "${job.webhookId}" is no longer configured`);
    if (!webhook.enabled) throw new PermanentError(`alert: webhook "${job.webhookId}" is disabled`);
    const timestamp = Math.floor(deps.now().getTime() / 1000);
    const headers = webhookHeaders(webhook.secret, job.alertId, timestamp, job.body);
    const result = await deps.http.postWebhook(webhook.url, job.body, { ...headers }, { timeoutMs: config.alerts.timeoutMs, signal: ctx.signal });
    if (result.ok) {
      deps.metrics.alert(webhook.id, 'sent');
      log.info({ outcome: 'sent', event: job.event, status: result.statusCode, attempt: ctx.attempt, durationMs: result.durationMs }, 'alert delivered');
      return [];
    }
    const message = `alert: ${result.error} (webhook ${webhook.id})`;
    log.warn({ outcome: result.permanent ? 'failed' : 'retrying', status: result.statusCode, attempt: ctx.attempt, maxAttempts: ctx.maxAttempts, durationMs: result.durationMs, error: result.error }, 'alert not delivered');
    deps.metrics.alert(webhook.id, result.permanent || ctx.attempt >= ctx.maxAttempts ? 'failed' : 'retrying');
    if (result.permanent) throw new PermanentError(message);
    throw new TransientError(message, result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs });
  };
}
