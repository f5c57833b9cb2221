import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startDemoSite, type DemoSite } from '../../src/demo/site.js';
import { startService, type Service } from '../../src/service.js';
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from '../helpers/redis.js';
import { alertsTotal, breakNewStory, capturingLogger, faultConfig, runCli, startScriptedEndpoint, until, type HookConfig, type ScriptedEndpoint } from './support.js';

// Each CLI run is a fresh `node --import tsx` process (a few seconds); the tests run several.
vi.setConfig({ testTimeout: 120_000 });

let site: DemoSite;
let gone: ScriptedEndpoint;
let desk: ScriptedEndpoint;
let dir: string;
let configPath: string;
let service: Service | undefined;
let prefix: string | undefined;

beforeEach(async () => {
  site = await startDemoSite();
  gone = await startScriptedEndpoint();
  desk = await startScriptedEndpoint();
  dir = await mkdtemp(join(tmpdir(), 'diplowatch-faults-webhooks-'));
  configPath = join(dir, 'diplowatch.yaml');
});

afterEach(async () => {
  await service?.stop();
  service = undefined;
  if (prefix) await deletePrefix(prefix);
  prefix = undefined;
  await gone.close();
  await desk.close();
  await site.close();
  await rm(dir, { recursive: true, force: true });
});

function hook(id: string, endpoint: ScriptedEndpoint): HookConfig {
  return { id, url: endpoint.url, secret: endpoint.secret };
}

type Mode = 'embedded' | 'redis';
const MODES: Array<{ mode: Mode }> = [{ mode: 'embedded' }, { mode: 'redis' }];

/** Writes the config; in redis mode the service and the CLI share a fresh key prefix. */
async function writeConfig(webhooks: HookConfig[], alerts: Record<string, number>, mode: Mode = 'embedded'): Promise<void> {
  if (mode === 'redis') prefix ??= uniquePrefix('faults-webhooks');
  const redis = prefix ? { redis: { url: TEST_REDIS_URL, prefix } } : {};
  await writeFile(configPath, faultConfig({ site, stateDir: join(dir, 'state'), webhooks, alerts, server: true, ...redis }));
}

async function stopService(): Promise<void> {
  await service?.stop();
  service = undefined;
}

describe('scenario 8: an endpoint answering 410 Gone', () => {
  it.each(MODES)('$mode mode: disables that webhook (persisted, logged once, shown), keeps later alerts as failed, and the other webhook goes on', async ({ mode }) => {
    gone.always({ status: 410 });
    await writeConfig([hook('gone', gone), hook('desk', desk)], { attempts: 5, retryBaseMs: 200, retryMaxMs: 1000 }, mode);
    const { logger, count } = capturingLogger();
    service = await startService({ configPath, logger, env: {} });
    await until(() => desk.delivered().length >= 2, 30_000, 'desk gets both stories');
    await service.runtime.queue.drained();
    // A story that breaks after the disable: sent to desk, not attempted on gone.
    await breakNewStory(site, service);
    await until(() => desk.delivered().length >= 3, 30_000, 'desk gets the new story');
    await service.runtime.queue.drained();

    // One request ever reached gone: the first alert's. The two later ones were not attempted.
    expect(gone.attempts).toHaveLength(1);
    const failed = await service.runtime.store.listFailedAlerts();
    expect(failed.filter((alert) => alert.webhookId === 'gone')).toHaveLength(3);
    expect(failed.filter((alert) => alert.webhookId === 'desk')).toHaveLength(0);
    expect(failed.some((alert) => alert.alertId === gone.attempts[0]?.id && /HTTP 410/.test(alert.error))).toBe(true);
    expect(failed.filter((alert) => /disabled since/.test(alert.error))).toHaveLength(2);
    expect(count('webhook disabled')).toBe(1);

    const health = await service.runtime.store.getWebhookHealth('gone');
    expect(health?.reason).toMatch(/HTTP 410/);
    expect(Number.isNaN(Date.parse(health?.disabledAt ?? ''))).toBe(false);
    expect(await service.runtime.store.getWebhookHealth('desk')).toBeUndefined();

    const api = (await (await fetch(`${service.serverUrl}/api/webhooks`)).json()) as { webhooks: Array<Record<string, unknown>> };
    expect(api.webhooks.find((webhook) => webhook.id === 'gone')).toMatchObject({ state: 'disabled', failedAlerts: 3, disabledAt: health?.disabledAt });
    expect(api.webhooks.find((webhook) => webhook.id === 'desk')).toMatchObject({ state: 'ok', failedAlerts: 0 });
    // The URL (which may carry a token) and the secret are not shown.
    expect(JSON.stringify(api)).not.toContain(gone.url);
    expect(JSON.stringify(api)).not.toContain(gone.secret);
    const metrics = await (await fetch(`${service.serverUrl}/metrics`)).text();
    expect(metrics).toContain('diplowatch_webhook_disabled{webhook="gone"} 1');
    expect(metrics).toContain('diplowatch_webhook_disabled{webhook="desk"} 0');
    expect(alertsTotal(metrics, 'gone', 'failed')).toBe(3);
    expect(alertsTotal(metrics, 'desk', 'sent')).toBe(3);
    await stopService();

    // The disable survives the process: `sources check` and `alerts failed` read it from the state folder.
    const check = await runCli(['sources', 'check', '--config', configPath]);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/gone\s+disabled\s+3\s+\S+\s+webhook: HTTP 410/);
    expect(check.stdout).toMatch(/desk\s+ok\s+0/);
    const listed = await runCli(['alerts', 'failed', '--config', configPath]);
    expect(listed.code).toBe(0);
    for (const alert of failed) expect(listed.stdout).toContain(alert.alertId);
    expect(listed.stdout).toMatch(/webhook gone disabled since/);

    // The operator fixes the endpoint and retries: every kept alert is delivered under its own webhook-id, and
    // the webhook is enabled again.
    gone.always(undefined);
    const retried = await runCli(['alerts', 'retry', '--config', configPath]);
    expect(retried.stdout).toContain('webhook gone re-enabled');
    expect(retried.stdout).toContain('3/3 delivered');
    expect(retried.code).toBe(0);
    expect(gone.delivered().map((attempt) => attempt.id).sort()).toEqual(failed.map((alert) => alert.alertId).sort());
    expect(gone.delivered().every((attempt) => attempt.signatureValid)).toBe(true);
    expect((await runCli(['alerts', 'failed', '--config', configPath])).stdout).toContain('no failed alerts');

    // And the next alert to it is sent again.
    service = await startService({ configPath, logger, env: {} });
    await service.runtime.queue.drained();
    expect((await (await fetch(`${service.serverUrl}/api/webhooks`)).json()) as unknown).toMatchObject({ webhooks: [{ id: 'gone', state: 'ok', failedAlerts: 0 }, { id: 'desk', state: 'ok' }] });
    const story = failed[0] as (typeof failed)[number];
    await service.runtime.queue.add({ name: 'alert', id: 'after-re-enable', data: { webhookId: 'gone', storyId: story.storyId, event: 'story.created', alertId: 'msg_after_re_enable', body: story.body } });
    await until(() => gone.delivered().some((attempt) => attempt.id === 'msg_after_re_enable'), 30_000, 'gone gets an alert after re-enabling');
  });

  it('lifts the disable when the operator points the webhook at another URL', async () => {
    gone.always({ status: 410 });
    await writeConfig([hook('gone', gone)], { attempts: 5, retryBaseMs: 200, retryMaxMs: 1000 });
    service = await startService({ configPath, logger: capturingLogger().logger, env: {} });
    await until(async () => (await service?.runtime.store.listFailedAlerts())?.length === 2, 30_000, 'both alerts kept as failed');
    expect(await service.runtime.store.getWebhookHealth('gone')).toBeDefined();

    const moved = await startScriptedEndpoint();
    try {
      await writeConfig([{ ...hook('gone', moved), secret: gone.secret }], { attempts: 5, retryBaseMs: 200, retryMaxMs: 1000 });
      expect(await service.reload()).toBe('applied');
      await breakNewStory(site, service);
      await until(() => moved.attempts.length >= 1, 30_000, 'the new URL gets the new story');
      await service.runtime.queue.drained();
      expect(moved.attempts[0]?.payload?.story.title).toMatch(/Cuba|Havana/);
      expect(await service.runtime.store.getWebhookHealth('gone')).toBeUndefined();
    } finally {
      await moved.close();
    }
  });
});

describe('scenario 9: retries exhausted', () => {
  it.each(MODES)('$mode mode: keeps the alert as failed, counts it, lists it in `alerts failed`, and `alerts retry` resends it under the same webhook-id', async ({ mode }) => {
    desk.always({ status: 503 });
    await writeConfig([hook('desk', desk)], { attempts: 3, retryBaseMs: 200, retryMaxMs: 1000 }, mode);
    service = await startService({ configPath, logger: capturingLogger().logger, env: {} });
    await until(async () => (await service?.runtime.store.listFailedAlerts())?.length === 2, 30_000, 'both alerts kept as failed');
    await service.runtime.queue.drained();
    const ids = [...new Set(desk.attempts.map((attempt) => attempt.id))].sort();
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(desk.byId(id)).toHaveLength(3);
    const metrics = await service.runtime.deps.metrics.text();
    expect(alertsTotal(metrics, 'desk', 'failed')).toBe(2);
    expect(alertsTotal(metrics, 'desk', 'retrying')).toBe(4);
    await stopService();

    const listed = await runCli(['alerts', 'failed', '--config', configPath]);
    expect(listed.code).toBe(0);
    for (const id of ids) expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain('HTTP 503');

    // Still failing: kept, non-zero exit.
    const stillFailing = await runCli(['alerts', 'retry', '--config', configPath]);
    expect(stillFailing.code).toBe(1);
    expect(stillFailing.stdout).toContain('0/2 delivered');

    desk.always(undefined);
    const retried = await runCli(['alerts', 'retry', '--config', configPath]);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain('2/2 delivered');
    expect(desk.delivered().map((attempt) => attempt.id).sort()).toEqual(ids);
    for (const delivered of desk.delivered()) expect(delivered.body).toBe(desk.byId(delivered.id)[0]?.body);
    expect((await runCli(['alerts', 'failed', '--config', configPath])).stdout).toContain('no failed alerts');
  });
});
