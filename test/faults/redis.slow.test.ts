import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort, sleep, startRedisProcess, waitUntil, type LogLine, type RedisProcess } from '../helpers/processes.js';
import { created, createdPerStory, PAGES, useFaultFixture, waitForAlerts } from './support.js';

/** Every 2 s, so a restarted Redis sees the service poll again within the test. */
const EVERY_2S = '*/2 * * * * *';
/**
 * The outage of the outage test: the 60 s, far longer than BullMQ's blocking read (`drainDelay`, 5 s)
 * and ioredis's reconnect backoff cap (2 s), so every connection has dropped and retried many times (the bug
 * BullMQ 6.0–6.1 had). `FAULT_OUTAGE_MS` shortens it for a quick local run.
 */
const OUTAGE_MS = Number(process.env.FAULT_OUTAGE_MS ?? 60_000);

const fx = useFaultFixture('faults-redis', () => ({ wire: [{ path: '/wire/a/caracas-agreements', ...PAGES.caracas }] }));
const servers: RedisProcess[] = [];

async function redisServer(options: Parameters<typeof startRedisProcess>[0]): Promise<RedisProcess> {
  const server = await startRedisProcess(options);
  servers.push(server);
  return server;
}

const lost = (line: LogLine) => /connection lost/i.test(line.msg);

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.dispose()));
});

afterAll(async () => {
  // A failed test must not leave a redis-server behind.
  await Promise.all(servers.splice(0).map((server) => server.dispose()));
});

describe('Redis faults', () => {
  it(`Redis stopped for ${OUTAGE_MS / 1000} s: the outage is logged once, the process stays up and resumes on its own`, async () => {
    const redis = await redisServer({ appendonly: true, extraArgs: ['--appendfsync', 'always'] });
    const running = fx.start(await fx.config({ redisUrl: redis.url, schedule: EVERY_2S }));
    await waitForAlerts(fx.receiver, 1, 60_000);

    await redis.stop();
    fx.site.publish('wire', { path: '/wire/a/bolivia-memorandum', ...PAGES.bolivia });
    await sleep(OUTAGE_MS);
    expect(running.child.exitCode).toBeNull();
    await redis.start();
    const back = Date.now();
    await waitForAlerts(fx.receiver, 2, 30_000);
    expect(Date.now() - back).toBeLessThan(30_000);
    expect(created(fx.receiver.received).map((alert) => alert.payload?.story.title)).toContainEqual(expect.stringMatching(/Bolivia/));
    expect([...createdPerStory(fx.receiver.received).values()]).toEqual([1, 1]);
    expect(running.child.exitCode).toBeNull();
    expect(running.logs.filter(lost)).toHaveLength(1);
    expect(running.logs.some((line) => /reconnected/.test(line.msg))).toBe(true);
  }, OUTAGE_MS + 150_000);

  it('Redis unreachable at start-up: a clear, redacted message, retries with backoff, /readyz 503 until it connects', async () => {
    const redis = await redisServer({ password: 'secretpw' });
    await redis.stop();
    const url = `redis://:secretpw@127.0.0.1:${redis.port}`;
    const running = fx.start(await fx.config({ redisUrl: url, serverPort: await freePort() }));
    const retrying = (line: LogLine) => /cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+/.test(line.msg) && /retrying in/.test(line.msg);
    await running.waitForLog((line) => running.logs.filter(retrying).length >= 2 && retrying(line), 60_000);
    const delays = running.logs.filter(retrying).map((line) => Number(line.retryInMs));
    expect(delays[1]).toBeGreaterThan(delays[0] ?? Infinity);
    const serverLine = await running.waitForLog((line) => /^HTTP server on/.test(line.msg), 5_000);
    const base = String(serverLine.url);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.text()).toMatch(/Redis/);

    await redis.start();
    await running.waitForLog((line) => /scheduler started/.test(line.msg), 60_000);
    await waitUntil(async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200, 10_000, '/readyz 200');
    await waitForAlerts(fx.receiver, 1, 60_000);
    expect(running.child.exitCode).toBeNull();
    expect(running.output()).not.toContain('secretpw');
    // The reason is given, once per attempt, without ioredis's own unhandled-error dump.
    expect(running.logs.find(retrying)?.msg).toMatch(/ECONNREFUSED/);
    expect(running.output()).not.toMatch(/Unhandled error event/);
  }, 150_000);

  it('Redis restarted with AOF: stories, seen URLs and pending alerts survive; no duplicate story.created', async () => {
    const redis = await redisServer({ appendonly: true, extraArgs: ['--appendfsync', 'always'] });
    fx.site.publish('wire', { path: '/wire/a/bolivia-memorandum', ...PAGES.bolivia });
    // The first attempt of each alert fails, so both are pending (delayed retries) when Redis goes down.
    fx.receiver.failNext([500, 500]);
    const configPath = await fx.config({ redisUrl: redis.url, schedule: EVERY_2S, alertRetryBaseMs: 8_000 });
    const running = fx.start(configPath);
    const client = redis.client();
    try {
      await waitUntil(async () => (await client.zcard(`${fx.prefix}:alert:delayed`)) === 2, 60_000, 'two delayed alerts');
      const pending = await client.zrange(`${fx.prefix}:alert:delayed`, 0, -1);
      const before = (await client.keys(`${fx.prefix}:*`)).filter((key) => /:(seen|story|stories|articles):?/.test(key));
      expect(before.some((key) => key.includes(':seen:'))).toBe(true);
      expect(before.some((key) => key.includes(':story:'))).toBe(true);
      client.disconnect();

      await redis.kill();
      await redis.start();
      const after = redis.client();
      try {
        const kept = new Set(await after.keys(`${fx.prefix}:*`));
        expect(before.filter((key) => !kept.has(key))).toEqual([]);
        // The pending alerts' jobs came back with the AOF (their attempt count says the first one failed).
        for (const id of pending) expect(await after.hget(`${fx.prefix}:alert:${id}`, 'atm')).toBe('1');
      } finally {
        after.disconnect();
      }
      await waitForAlerts(fx.receiver, 2, 60_000);
      const feedHits = fx.site.hits.get('/wire/feed') ?? 0;
      // Several more polls after the restart: the seen URLs keep the articles from being processed again.
      await waitUntil(() => (fx.site.hits.get('/wire/feed') ?? 0) >= feedHits + 3, 20_000, 'three more polls');
      expect(created(fx.receiver.received)).toHaveLength(2);
      expect([...createdPerStory(fx.receiver.received).values()]).toEqual([1, 1]);
      expect(fx.site.hits.get('/wire/a/caracas-agreements')).toBe(1);
      expect(running.child.exitCode).toBeNull();
    } finally {
      client.disconnect();
    }
  }, 150_000);

  it('Redis with an evicting maxmemory-policy: the service refuses to start and says why', async () => {
    const redis = await redisServer({ extraArgs: ['--maxmemory-policy', 'allkeys-lru'] });
    const running = fx.start(await fx.config({ redisUrl: redis.url }));
    const code = await running.exited;
    expect(code).not.toBe(0);
    expect(running.output()).toMatch(/allkeys-lru/);
    expect(running.output()).toMatch(/noeviction/);
  }, 150_000);
});
