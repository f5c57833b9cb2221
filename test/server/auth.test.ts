import { Queue as BullQueue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../src/store/redis-store.js';
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from '../helpers/redis.js';
import { get, startHarness, type Harness } from './fixtures.js';

const TOKEN = 'fixture-token-7f3a9c2e-not-a-real-secret';


describe('server with a token, on a Redis store, with bull-board', () => {
  const prefix = uniquePrefix('server');
  let harness: Harness;
  let connection: Redis;
  let bullQueue: BullQueue;

  beforeAll(async () => {
    const store = await createRedisStore({ url: TEST_REDIS_URL, prefix, retentionDays: 30 });
    connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    bullQueue = new BullQueue('discover', { connection, prefix });
    await bullQueue.add('discover', { sourceId: 'ledger', tick: '2023-06-15T19:00:00.000Z' }, { jobId: 'ledger@1' });
    harness = await startHarness({ token: TOKEN, store, extra: { bullBoard: { queues: [bullQueue] } } });
  });

  afterAll(async () => {
    await harness?.cleanup();
    await bullQueue?.close();
    connection?.disconnect();
    await deletePrefix(prefix);
  });

  const protectedPaths = ['/', '/api/stories', '/api/stories/raisi-caracas', '/api/sources', '/feed.xml', '/feed.json', '/admin/queues', '/admin/queues/api/queues', '/no-such-page'];

  it('refuses every protected path without the token, with a JSON 401', async () => {
    for (const path of protectedPaths) {
      const response = await get(harness, path);
      expect(response.status, path).toBe(401);
      expect(response.headers['www-authenticate'], path).toBe('Bearer realm="diplowatch"');
      expect(JSON.parse(response.text), path).toMatchObject({ error: 'unauthorized' });
    }
  });

  it('refuses a wrong token, in the header, the query or a forged cookie', async () => {
    const attempts: Array<Record<string, string>> = [{ authorization: `Bearer ${TOKEN}x` }, { authorization: 'Bearer ' }, { authorization: TOKEN }, { cookie: `diplowatch_session=${TOKEN}` }];
    for (const headers of attempts) {
      expect((await get(harness, '/api/stories', headers)).status).toBe(401);
    }
    expect((await get(harness, `/api/stories?token=${TOKEN.slice(0, -1)}`)).status).toBe(401);
  });

  it('serves every protected path with the bearer token', async () => {
    for (const path of protectedPaths.filter((p) => p !== '/no-such-page')) {
      expect((await get(harness, path, { authorization: `Bearer ${TOKEN}` })).status, path).toBe(200);
    }
    expect((await get(harness, '/no-such-page', { authorization: `bearer ${TOKEN}` })).status).toBe(404);
  });

  it('leaves /healthz, /readyz and /metrics open', async () => {
    expect((await get(harness, '/healthz')).status).toBe(200);
    expect((await get(harness, '/readyz')).text).toBe('{"status":"ready"}');
    expect((await get(harness, '/metrics')).text).toContain('diplowatch_fetches_total');
  });

  it('reads stories back from Redis, paged and filtered', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const first = JSON.parse((await get(harness, '/api/stories?limit=4', auth)).text) as { stories: Array<{ id: string }>; next: string };
    const second = JSON.parse((await get(harness, `/api/stories?limit=4&cursor=${first.next}`, auth)).text) as { stories: Array<{ id: string }>; next: null };
    const ids = [...first.stories, ...second.stories].map((story) => story.id);
    expect(new Set(ids).size).toBe(7);
    expect(second.next).toBeNull();
    const nicaragua = JSON.parse((await get(harness, '/api/stories?country=nicaragua', auth)).text) as { stories: Array<{ id: string }> };
    expect(nicaragua.stories.map((story) => story.id)).toEqual(['hostile-title', 'raisi-managua']);
  });

  it('accepts ?token= for feed readers, and then a session cookie that never holds the token', async () => {
    const feed = await get(harness, `/feed.xml?token=${encodeURIComponent(TOKEN)}`);
    expect(feed.status).toBe(200);
    expect(feed.text).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');

    const page = await get(harness, `/admin/queues?token=${encodeURIComponent(TOKEN)}`);
    expect(page.status).toBe(200);
    const setCookie = String(page.headers['set-cookie']);
    expect(setCookie).toMatch(/^diplowatch_session=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(';')[0] ?? '';

    // bull-board's own API, as its page calls it from the browser with the cookie.
    const api = await get(harness, '/admin/queues/api/queues', { cookie });
    expect(api.status).toBe(200);
    const queues = (JSON.parse(api.text) as { queues: Array<{ name: string; counts: Record<string, number> }> }).queues;
    expect(queues.map((queue) => queue.name)).toEqual(['discover']);
    expect(queues[0]?.counts.waiting).toBe(1);
  });

  it('carries a ?token= into the page\'s own feed links, and keeps it out of the logs', async () => {
    const page = await get(harness, `/?token=${encodeURIComponent(TOKEN)}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="/feed.xml?token=${TOKEN}"`);
    expect(page.text).toContain(`<input type="hidden" name="token" value="${TOKEN}">`);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const withHeader = await get(harness, '/', { authorization: `Bearer ${TOKEN}` });
    expect(withHeader.text).not.toContain(TOKEN);

    const logged = harness.logLines.join('');
    expect(logged).toContain('"url":"/"');
    expect(logged).toContain('"url":"/feed.xml"');
    expect(logged).not.toContain(TOKEN);
  });
});

describe('server without a token', () => {
  it('says which address it could not listen on', async () => {
    const first = await startHarness();
    const port = new URL(first.server.url).port;
    try {
      await expect(startHarness({ port: Number(port) })).rejects.toThrow(`server: cannot listen on 127.0.0.1:${port} (`);
    } finally {
      await first.cleanup();
    }
  });

  it('warns when it listens beyond loopback without a token, and not on loopback', async () => {
    const wide = await startHarness({ host: '0.0.0.0' });
    const local = await startHarness();
    try {
      expect(wide.logLines.join('')).toContain('without server.token');
      expect(local.logLines.join('')).toContain('serving on http://127.0.0.1:');
      expect(local.logLines.join('')).not.toContain('without server.token');
      expect((await get(local, '/api/stories')).status).toBe(200);
    } finally {
      await wide.cleanup();
      await local.cleanup();
    }
  });
});
