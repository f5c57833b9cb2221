import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDemoSite, type DemoSite } from '../../src/demo/site.js';
import { createLogger } from '../../src/log.js';
import { backoffDelay } from '../../src/queue/backoff.js';
import { startService, type Service } from '../../src/service.js';
import { startServer, type TestServer } from '../helpers/http.js';
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from '../helpers/redis.js';
import { TIMER_SLACK_MS, alertsTotal, capturingLogger, faultConfig, startScriptedEndpoint, until, type Attempt, type ScriptedEndpoint } from './support.js';

const quiet = createLogger({ level: 'silent', pretty: false });

let site: DemoSite;
let endpoint: ScriptedEndpoint;
let dir: string;
let service: Service | undefined;
let prefix: string | undefined;

beforeEach(async () => {
  site = await startDemoSite();
  endpoint = await startScriptedEndpoint();
  dir = await mkdtemp(join(tmpdir(), 'diplowatch-faults-webhooks-'));
});

afterEach(async () => {
  await service?.stop();
  service = undefined;
  if (prefix) await deletePrefix(prefix);
  prefix = undefined;
  await endpoint.close();
  await site.close();
  await rm(dir, { recursive: true, force: true });
});

type Mode = 'embedded' | 'redis';

/** Starts the service (in-process queue, or BullMQ on Redis) on the demo site's two 2023 stories, alerting `endpoint`. */
async function start(mode: Mode, alerts: Record<string, number>, logger = quiet): Promise<Service> {
  const configPath = join(dir, 'diplowatch.yaml');
  prefix = mode === 'redis' ? uniquePrefix('faults-webhooks') : undefined;
  const redis = prefix ? { url: TEST_REDIS_URL, prefix } : undefined;
  await writeFile(configPath, faultConfig({ site, stateDir: join(dir, 'state'), webhooks: [{ id: 'newsroom', url: endpoint.url, secret: endpoint.secret }], alerts, ...(redis ? { redis } : {}) }));
  service = await startService({ configPath, logger, env: {} });
  return service;
}

/** Request ids in first-seen order. */
function alertIds(attempts: Attempt[]): string[] {
  return [...new Set(attempts.map((attempt) => attempt.id))];
}

describe.each<{ mode: Mode }>([{ mode: 'embedded' }, { mode: 'redis' }])('$mode mode', ({ mode }) => {
  describe('scenario 7: an endpoint answering 500 for a while, then 200', () => {
    it('retries with backoff until each alert is delivered exactly once, same webhook-id and body on every attempt', async () => {
      endpoint.script(...Array.from({ length: 6 }, () => ({ status: 500 })));
      const running = await start(mode, { attempts: 10, retryBaseMs: 200, retryMaxMs: 1000 });
      await until(() => endpoint.delivered().length >= 2, 30_000, 'two deliveries');
      await running.runtime.queue.drained();

      const ids = alertIds(endpoint.attempts);
      expect(ids).toHaveLength(2);
      expect(endpoint.attempts.filter((attempt) => attempt.reply === 500)).toHaveLength(6);
      const policy = { attempts: 10, baseDelayMs: 200, maxDelayMs: 1000 };
      for (const id of ids) {
        const attempts = endpoint.byId(id);
        expect(attempts.filter((attempt) => attempt.reply === 204)).toHaveLength(1);
        expect(attempts.at(-1)?.reply).toBe(204);
        expect(new Set(attempts.map((attempt) => attempt.body)).size).toBe(1);
        expect(attempts.every((attempt) => attempt.signatureValid)).toBe(true);
        // Attempt n+1 starts no sooner than the smallest delay the backoff allows after attempt n (jitter -20%).
        attempts.slice(1).forEach((attempt, i) => {
          const previous = attempts[i] as Attempt;
          const lowest = backoffDelay(policy, i + 1, () => 0);
          expect(attempt.at - (previous.answeredAt ?? previous.at)).toBeGreaterThanOrEqual(lowest - TIMER_SLACK_MS);
        });
      }
      expect(endpoint.byId(ids[0] as string)[0]?.body).not.toBe(endpoint.byId(ids[1] as string)[0]?.body);
      const metrics = await running.runtime.deps.metrics.text();
      expect(alertsTotal(metrics, 'newsroom', 'retrying')).toBe(6);
      expect(alertsTotal(metrics, 'newsroom', 'sent')).toBe(2);
      expect(await running.runtime.store.listFailedAlerts()).toEqual([]);
    });
  });

  describe('scenario 8: 429 with Retry-After, redirects, a hanging endpoint', () => {
    it('waits at least Retry-After (2 s here, 120 s in the issue) before the next attempt, though the backoff is 200 ms', async () => {
      endpoint.script({ status: 429, headers: { 'retry-after': '2' } });
      const running = await start(mode, { attempts: 5, retryBaseMs: 200, retryMaxMs: 1000 });
      await until(() => endpoint.delivered().length >= 2, 30_000, 'two deliveries');
      await running.runtime.queue.drained();

      const limited = endpoint.attempts.find((attempt) => attempt.reply === 429) as Attempt;
      const next = endpoint.byId(limited.id)[1] as Attempt;
      expect(next.reply).toBe(204);
      expect(next.body).toBe(limited.body);
      expect(next.at - (limited.answeredAt as number)).toBeGreaterThanOrEqual(2_000 - TIMER_SLACK_MS);
      expect(endpoint.delivered().map((attempt) => attempt.id).sort()).toEqual(alertIds(endpoint.attempts).sort());
    });

    it('treats a 3xx as a failure, never follows it, and keeps the alert as failed', async () => {
      let targetHits = 0;
      const target: TestServer = await startServer((_req, res) => {
        targetHits += 1;
        res.writeHead(204);
        res.end();
      });
      try {
        endpoint.always({ status: 302, headers: { location: `${target.url}/elsewhere` } });
        const running = await start(mode, { attempts: 5, retryBaseMs: 200, retryMaxMs: 1000 });
        await until(async () => (await running.runtime.store.listFailedAlerts()).length >= 2, 30_000, 'two failed alerts');
        await running.runtime.queue.drained();

        expect(targetHits).toBe(0);
        // Permanent: one attempt per alert, no retry.
        const ids = alertIds(endpoint.attempts);
        expect(ids).toHaveLength(2);
        for (const id of ids) expect(endpoint.byId(id)).toHaveLength(1);
        const failed = await running.runtime.store.listFailedAlerts();
        expect(failed.map((alert) => alert.alertId).sort()).toEqual([...ids].sort());
        expect(failed[0]?.error).toMatch(/HTTP 302 redirect not followed/);
      } finally {
        await target.close();
      }
    });

    it('aborts a request that hangs at alerts.timeoutMs and retries it under the same webhook-id', async () => {
      endpoint.script({ hang: true });
      const { logger, lines } = capturingLogger();
      const running = await start(mode, { attempts: 5, retryBaseMs: 200, retryMaxMs: 1000, timeoutMs: 500 }, logger);
      await until(() => endpoint.delivered().length >= 2, 30_000, 'two deliveries');
      await running.runtime.queue.drained();

      const hung = endpoint.attempts[0] as Attempt;
      expect(hung.reply).toBe('hang');
      // The endpoint never answered; the client closed the connection itself.
      await until(() => hung.closedAt !== undefined, 5_000, 'the hung connection to close');
      // The client's own clock: the attempt was given up at the timeout, not before. (The endpoint's clock cannot
      // tell: the timer starts when the client sends, before the request reaches the endpoint.)
      const timedOut = lines.filter((line) => line.msg === 'alert not delivered');
      expect(timedOut).toHaveLength(1);
      expect(timedOut[0]?.error).toMatch(/timeout after 0\.5 s/);
      expect(timedOut[0]?.durationMs).toBeGreaterThanOrEqual(500 - TIMER_SLACK_MS);
      const retry = endpoint.byId(hung.id)[1] as Attempt;
      expect(retry.reply).toBe(204);
      expect(retry.body).toBe(hung.body);
      expect(alertsTotal(await running.runtime.deps.metrics.text(), 'newsroom', 'retrying')).toBe(1);
    });
  });

  describe('scenario 13: the clock', () => {
    it('stamps webhook-timestamp with the send time, not the 2023 story time, and a later one on a retry', async () => {
      endpoint.script({ status: 503 });
      // A first retry no sooner than 1.2 s, so the retry's timestamp (whole seconds) must be a later second.
      const running = await start(mode, { attempts: 5, retryBaseMs: 1500, retryMaxMs: 3000 });
      await until(() => endpoint.delivered().length >= 2, 30_000, 'two deliveries');
      await running.runtime.queue.drained();

      for (const attempt of endpoint.attempts) {
        expect(attempt.payload?.story.publishedAt?.startsWith('2023-')).toBe(true);
        expect(Math.abs(attempt.timestamp - attempt.at / 1000)).toBeLessThanOrEqual(5);
      }
      const first = endpoint.attempts[0] as Attempt;
      const retry = endpoint.byId(first.id)[1] as Attempt;
      expect(retry.id).toBe(first.id);
      expect(retry.signatureValid).toBe(true);
      expect(retry.timestamp).toBeGreaterThan(first.timestamp);
    });
  });
});
