import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { nextAttemptAt, sourceBackoffMs } from '../../src/jobs/discover.js';
import { createLogger } from '../../src/log.js';
import { extractArticle } from '../../src/parsers/article.js';
import type { JobContext } from '../../src/queue/queue.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { runScan } from '../../src/scan.js';
import { createFileStore } from '../../src/store/file-store.js';
import type { LogLine } from './harness.js';
import { rssLinking, startHostileServer, type HostileServer } from './server.js';

const MIN = 60_000;
const fetchDefaults = { sourceBackoffBaseMs: MIN, sourceBackoffMaxMs: 360 * MIN };

describe('sourceBackoffMs and nextAttemptAt', () => {
  it('doubles from the base with each failure, up to the cap, and is 0 when healthy', () => {
    expect([0, 1, 2, 3, 4].map((failures) => sourceBackoffMs(failures, fetchDefaults))).toEqual([0, MIN, 2 * MIN, 4 * MIN, 8 * MIN]);
    expect(sourceBackoffMs(9, fetchDefaults)).toBe(256 * MIN);
    expect(sourceBackoffMs(10, fetchDefaults)).toBe(360 * MIN);
    expect(sourceBackoffMs(5_000, fetchDefaults)).toBe(360 * MIN);
  });

  it('counts from the last attempt, and has nothing to say about healthy or untried sources', () => {
    const lastAttemptAt = '2026-01-01T00:00:00.000Z';
    expect(nextAttemptAt({ consecutiveFailures: 3, lastAttemptAt }, fetchDefaults)?.toISOString()).toBe('2026-01-01T00:04:00.000Z');
    expect(nextAttemptAt({ consecutiveFailures: 0, lastAttemptAt }, fetchDefaults)).toBeUndefined();
    expect(nextAttemptAt({ consecutiveFailures: 2 }, fetchDefaults)).toBeUndefined();
    expect(nextAttemptAt(undefined, fetchDefaults)).toBeUndefined();
  });

  it('has schema defaults of 1 minute and 6 hours', () => {
    const { fetch } = configSchema.parse({ sources: [] });
    expect(fetch.sourceBackoffBaseMs).toBe(MIN);
    expect(fetch.sourceBackoffMaxMs).toBe(6 * 3_600_000);
  });
});

describe('source backoff in the discover handler', () => {
  let server: HostileServer;
  let dir: string;
  let healthy = false;
  let runtime: Runtime | undefined;

  beforeEach(async () => {
    healthy = false;
    server = await startHostileServer();
    server.route('/feed.xml', (_req, res) => {
      if (!healthy) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('gone for now');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rssLinking([`${server.url}/a`, `${server.url}/b`]));
    });
    dir = await mkdtemp(join(tmpdir(), 'diplowatch-backoff-'));
  });

  afterEach(async () => {
    await runtime?.close(1_000);
    runtime = undefined;
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function writeConfig(): Promise<string> {
    const path = join(dir, 'diplowatch.yaml');
    const config = {
      sources: [{ id: 'flaky', name: 'Flaky', feed: `${server.url}/feed.xml`, schedule: '*/5 * * * *', maxAgeDays: 100_000 }],
      fetch: { allowPrivateNetworks: true, minDelayMs: 0, respectRobots: false, sourceBackoffBaseMs: MIN, sourceBackoffMaxMs: 10 * MIN },
      detect: { topic: join(process.cwd(), 'config/topics/iran-latam.yaml') },
      state: { dir: join(dir, 'state') },
    };
    await writeFile(path, stringify(config));
    return path;
  }

  const ctx = (attempt = 1): JobContext => ({ id: 'test', attempt, maxAttempts: 2, signal: new AbortController().signal });

  it('skips ticks while backing off, doubling the wait, and recovers on success', async () => {
    const logs: LogLine[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
        callback();
      },
    });
    let now = Date.parse('2026-03-01T12:00:00.000Z');
    const loaded = await loadConfig(await writeConfig(), {});
    runtime = await createRuntime({
      loaded,
      logger: createLogger({ level: 'info', pretty: false, destination }),
      mode: { kind: 'embedded', reason: 'test' },
      extract: async (html, url, options) => extractArticle(html, url, options),
      now: () => new Date(now),
    });
    const discover = runtime.handlers.discover;
    const tick = (force?: boolean) => ({ sourceId: 'flaky', tick: new Date(now).toISOString(), ...(force ? { force } : {}) });
    const polls = (): number => server.hits.get('/feed.xml') ?? 0;
    const backoffLines = (): LogLine[] => logs.filter((line) => line.outcome === 'backoff');

    await expect(discover(tick(), ctx())).rejects.toThrow(/^fetch: HTTP 404/);
    expect(polls()).toBe(1);
    let health = await runtime.store.getSourceHealth('flaky');
    expect(health).toMatchObject({ consecutiveFailures: 1, lastAttemptAt: '2026-03-01T12:00:00.000Z' });
    expect(health?.lastError).toMatch(/^fetch: HTTP 404 \(http:\/\/127\.0\.0\.1:\d+\/feed\.xml\)$/);

    // 30 s later: within the 1 min backoff, the tick is skipped with one line saying when the next try is.
    now += 30_000;
    expect(await discover(tick(), ctx())).toEqual([]);
    expect(polls()).toBe(1);
    expect(backoffLines()).toHaveLength(1);
    expect(backoffLines()[0]).toMatchObject({ source: 'flaky', failures: 1, nextAttemptAt: '2026-03-01T12:01:00.000Z' });
    expect(String(backoffLines()[0]?.msg)).toContain('next attempt at 2026-03-01T12:01:00.000Z');
    // Skipping leaves the recorded health alone.
    expect(await runtime.store.getSourceHealth('flaky')).toEqual(health);

    // The queue's own retry of a tick, and a forced poll (scan), are not held back.
    await expect(discover(tick(), ctx(2))).rejects.toThrow(/HTTP 404/);
    expect(polls()).toBe(2);
    now += 1_000;
    await expect(discover(tick(true), ctx())).rejects.toThrow(/HTTP 404/);
    expect(polls()).toBe(3);
    health = await runtime.store.getSourceHealth('flaky');
    expect(health?.consecutiveFailures).toBe(3);

    // Three failures: 4 min from the last attempt (12:00:31).
    now += 3 * MIN + 59_000;
    expect(await discover(tick(), ctx())).toEqual([]);
    expect(backoffLines().at(-1)).toMatchObject({ failures: 3, nextAttemptAt: '2026-03-01T12:04:31.000Z' });
    expect(polls()).toBe(3);
    now += 1_000;
    await expect(discover(tick(), ctx())).rejects.toThrow(/HTTP 404/);
    expect(polls()).toBe(4);

    // Capped at sourceBackoffMaxMs (10 min here) however many failures.
    await runtime.store.setSourceHealth('flaky', { ...(await runtime.store.getSourceHealth('flaky'))!, consecutiveFailures: 30 });
    now += 10 * MIN - 1_000;
    expect(await discover(tick(), ctx())).toEqual([]);
    expect(polls()).toBe(4);
    now += 1_000;
    healthy = true;
    const requests = await discover(tick(), ctx());
    expect(polls()).toBe(5);
    expect(requests.map((request) => request.name)).toEqual(['article', 'article']);
    health = await runtime.store.getSourceHealth('flaky');
    expect(health).toMatchObject({ consecutiveFailures: 0, lastSuccessAt: new Date(now).toISOString(), lastItems: 2 });
    expect(health?.lastError).toBeUndefined();

    // Healthy again: the very next tick polls.
    now += 1_000;
    await discover(tick(), ctx());
    expect(polls()).toBe(6);
    expect(backoffLines()).toHaveLength(3);
  });

  it('never holds back a manual scan', async () => {
    const configPath = await writeConfig();
    const quiet = createLogger({ level: 'silent', pretty: false });
    const first = await runScan({ configPath, logger: quiet, env: {} });
    expect(first.rows[0]?.errors).toEqual([expect.stringMatching(/^fetch: HTTP 404/)]);
    healthy = true;
    // Straight away, well inside the 1 min backoff the failure started.
    const second = await runScan({ configPath, logger: quiet, env: {} });
    expect(server.hits.get('/feed.xml')).toBe(2);
    expect(second.rows[0]?.items).toBe(2);
    // Only its two (absent) articles failed, not the poll.
    expect(second.rows[0]?.errors.filter((error) => error.includes('/feed.xml'))).toEqual([]);
    const store = await createFileStore({ dir: join(dir, 'state'), retentionDays: 30 });
    try {
      expect(await store.getSourceHealth('flaky')).toMatchObject({ consecutiveFailures: 0 });
    } finally {
      await store.close();
    }
  }, 60_000);
});
