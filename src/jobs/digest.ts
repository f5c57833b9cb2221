import { cronLogger } from '../queue/scheduler.js';
import cron, { type ScheduledTask } from 'node-cron';
import { digestId, renderDigest, type DigestWindow } from '../alerts/digest.js';
import { webhookHeaders } from '../alerts/sign.js';
import type { Config, WebhookConfig } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { HttpClient, WebhookResult } from '../http/client.js';
import type { Logger } from '../log.js';
import type { DigestCursor, PendingDigest, Store } from '../store/store.js';

/**
 * Stories created in the last minutes before a digest run wait for the next one: an article job takes its
 * clock reading before it waits for the story lock and saves after, so a story can appear in the store with a
 * `createdAt` slightly in the past. Two minutes covers the story lock's wait many times over in practice.
 */
export const DIGEST_SETTLE_MS = 2 * 60_000;

/** What the digest scheduler needs. */
export interface DigestSchedulerOptions {
  /** The current configuration; a reload swaps what this returns. */
  config: () => Config;
  store: Store;
  http: Pick<HttpClient, 'postWebhook'>;
  logger: Logger;
  /** @defaultValue () => new Date() */
  now?: () => Date;
}

/** What one digest run did. */
export interface DigestRun {
  /**
   * `sent`: at least one digest was delivered; `empty`: nothing new; `failed`: the POST failed (the digest stays
   * pending and is re-sent as is); `busy`: another process holds this webhook's digest lease; `started`: the
   * webhook had no cursor yet and now counts from this moment.
   */
  outcome: 'sent' | 'empty' | 'failed' | 'busy' | 'started';
  /** The `webhook-id`s delivered in this run, oldest window first. */
  delivered: string[];
  /** The digest left pending after a failure. */
  pending?: { id: string; stories: number };
  error?: string;
}

interface WebhookTask {
  schedule: string;
  task: ScheduledTask;
}

/** One run per webhook at a time; the lease outlives the POST's timeout so it never lapses mid-send. */
const LEASE_MARGIN_MS = 60_000;

/**
 * Sends digest webhooks on their `digest` cron: one POST listing the stories created since the last delivered
 * digest. Its position is a cursor in the Store that moves only after a 2xx. A digest is rendered once and kept
 * in the cursor as `pending` before it is sent, so a failed POST or a crash re-sends the same bytes under the
 * same `webhook-id` (derived from webhook and window): nothing is repeated under a new id, nothing skipped.
 * After a failure the scheduler tries again with the alerts' backoff (`alerts.retryBaseMs` doubling up to
 * `alerts.retryMaxMs`), and at the next cron tick in any case.
 */
export class DigestScheduler {
  private readonly config: () => Config;
  private readonly store: Store;
  private readonly http: Pick<HttpClient, 'postWebhook'>;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly tasks = new Map<string, WebhookTask>();
  /** Cursor creation for newly seen webhooks; runs wait for it. */
  private readonly starting = new Map<string, Promise<void>>();
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<DigestRun>>();
  /** Failed runs in a row, per webhook: the retry delay doubles with each. */
  private readonly failures = new Map<string, number>();

  constructor(options: DigestSchedulerOptions) {
    this.config = options.config;
    this.store = options.store;
    this.http = options.http;
    this.logger = options.logger.child({ component: 'digest' });
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Schedules the enabled webhooks that have a `digest` cron; stops the others. A webhook seen for the first
   * time gets a cursor at the current time, so its first digest lists the stories created from then on.
   */
  setWebhooks(webhooks: WebhookConfig[]): void {
    const wanted = new Map(webhooks.filter((webhook) => webhook.enabled && webhook.digest !== undefined).map((webhook) => [webhook.id, webhook.digest ?? '']));
    for (const [id, entry] of this.tasks) {
      if (wanted.get(id) === entry.schedule) continue;
      void entry.task.destroy();
      this.tasks.delete(id);
      this.cancelRetry(id);
    }
    for (const [id, schedule] of wanted) {
      if (this.tasks.has(id)) continue;
      // The start time is read now, not when the store answers, so it is the moment the webhook was scheduled.
      this.starting.set(id, this.ensureCursor(id, this.now().toISOString()));
      const task = cron.schedule(schedule, () => this.runLogged(id), { name: `digest:${id}`, logger: cronLogger(this.logger.child({ webhook: id })) });
      this.tasks.set(id, { schedule, task });
    }
  }

  /**
   * Stops every task and pending retry (`setWebhooks` starts them again); resolves when runs already under way
   * have finished, so the store can be closed after it.
   */
  async stop(): Promise<void> {
    for (const entry of this.tasks.values()) void entry.task.destroy();
    this.tasks.clear();
    for (const id of [...this.retries.keys()]) this.cancelRetry(id);
    await Promise.allSettled([...this.running]);
  }

  /** Webhook ids with a scheduled digest. */
  webhookIds(): string[] {
    return [...this.tasks.keys()];
  }

  /**
   * Runs one digest for the webhook now: re-sends a pending digest if there is one, then sends the stories
   * created since the cursor (up to a few minutes ago, see DIGEST_SETTLE_MS), if any.
   */
  async runNow(webhookId: string): Promise<DigestRun> {
    const run = this.runOnce(webhookId);
    this.running.add(run);
    try {
      return await run;
    } finally {
      this.running.delete(run);
    }
  }

  private async runOnce(webhookId: string): Promise<DigestRun> {
    await this.starting.get(webhookId);
    const webhook = this.config().alerts.webhooks.find((candidate) => candidate.id === webhookId);
    if (!webhook?.digest || !webhook.enabled) throw new Error(`digest: no enabled webhook "${webhookId}" with a digest schedule`);
    const lease = `digest:${webhookId}`;
    if (!(await this.store.tryLease(lease, this.config().alerts.timeoutMs * 2 + LEASE_MARGIN_MS))) return { outcome: 'busy', delivered: [] };
    try {
      const run = await this.run(webhook);
      if (run.outcome === 'failed') this.scheduleRetry(webhookId);
      else this.cancelRetry(webhookId);
      return run;
    } finally {
      await this.store.releaseLease(lease);
    }
  }

  private async run(webhook: WebhookConfig): Promise<DigestRun> {
    const log = this.logger.child({ webhook: webhook.id });
    let cursor = await this.store.getDigestCursor(webhook.id);
    if (!cursor) {
      await this.store.setDigestCursor(webhook.id, { since: this.now().toISOString() });
      return { outcome: 'started', delivered: [] };
    }
    const delivered: string[] = [];
    if (cursor.pending) {
      const pending = cursor.pending;
      const failure = await this.deliver(webhook, pending, log);
      if (failure) return { outcome: 'failed', delivered, pending: { id: pending.id, stories: pending.storyIds.length }, error: failure };
      delivered.push(pending.id);
      cursor = { since: pending.until };
      await this.store.setDigestCursor(webhook.id, cursor);
    }

    const until = new Date(this.now().getTime() - DIGEST_SETTLE_MS).toISOString();
    if (Date.parse(until) <= Date.parse(cursor.since)) return { outcome: delivered.length > 0 ? 'sent' : 'empty', delivered };
    const window: DigestWindow = { since: cursor.since, until };
    const stories = (await this.store.listStories({ since: window.since }))
      .filter((story) => Date.parse(story.createdAt) < Date.parse(until))
      .reverse();
    if (stories.length === 0) {
      // Moving an empty window forward keeps the next listing short; no story can still arrive inside it.
      await this.store.setDigestCursor(webhook.id, { since: until });
      return { outcome: delivered.length > 0 ? 'sent' : 'empty', delivered };
    }
    const pending: PendingDigest = {
      id: digestId(webhook.id, window),
      ...window,
      body: renderDigest(stories, window, webhook.format).body,
      storyIds: stories.map((story) => story.id),
    };
    // Saved before the POST: if this process dies mid-send, the next run re-sends these bytes under this id.
    await this.store.setDigestCursor(webhook.id, { since: cursor.since, pending } satisfies DigestCursor);
    const failure = await this.deliver(webhook, pending, log);
    if (failure) return { outcome: 'failed', delivered, pending: { id: pending.id, stories: stories.length }, error: failure };
    delivered.push(pending.id);
    await this.store.setDigestCursor(webhook.id, { since: until });
    return { outcome: 'sent', delivered };
  }

  /** POSTs one digest; resolves to the error, or undefined on a 2xx. */
  private async deliver(webhook: WebhookConfig, pending: PendingDigest, log: Logger): Promise<string | undefined> {
    const config = this.config();
    const headers = webhookHeaders(webhook.secret, pending.id, Math.floor(this.now().getTime() / 1000), pending.body);
    const result: WebhookResult = await this.http.postWebhook(webhook.url, pending.body, { ...headers }, { timeoutMs: config.alerts.timeoutMs });
    const fields = { alertId: pending.id, stories: pending.storyIds.length, since: pending.since, until: pending.until, durationMs: result.durationMs };
    if (result.ok) {
      log.info({ ...fields, outcome: 'sent', status: result.statusCode }, 'digest delivered');
      return undefined;
    }
    log.warn({ ...fields, outcome: 'retrying', status: result.statusCode, error: result.error }, 'digest not delivered; kept pending');
    return `digest: ${result.error} (webhook ${webhook.id})`;
  }

  private async ensureCursor(webhookId: string, since: string): Promise<void> {
    try {
      if (!(await this.store.getDigestCursor(webhookId))) await this.store.setDigestCursor(webhookId, { since });
    } catch (err) {
      // The first run creates it instead.
      this.logger.warn({ webhook: webhookId, err: errorMessage(err) }, 'digest: could not create the cursor');
    }
  }

  private runLogged(webhookId: string): void {
    this.runNow(webhookId).catch((err: unknown) => {
      this.logger.error({ webhook: webhookId, err: errorMessage(err) }, 'digest run failed');
      this.scheduleRetry(webhookId);
    });
  }

  private scheduleRetry(webhookId: string): void {
    if (!this.tasks.has(webhookId)) return;
    const failures = (this.failures.get(webhookId) ?? 0) + 1;
    this.failures.set(webhookId, failures);
    const { retryBaseMs, retryMaxMs } = this.config().alerts;
    const delay = Math.min(retryBaseMs * 2 ** Math.min(failures - 1, 30), retryMaxMs);
    clearTimeout(this.retries.get(webhookId));
    const timer = setTimeout(() => {
      this.retries.delete(webhookId);
      this.runLogged(webhookId);
    }, delay);
    timer.unref();
    this.retries.set(webhookId, timer);
  }

  private cancelRetry(webhookId: string): void {
    clearTimeout(this.retries.get(webhookId));
    this.retries.delete(webhookId);
    this.failures.delete(webhookId);
  }
}
