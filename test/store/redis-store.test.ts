import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { TransientError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { createRedisStore, type RedisStore } from '../../src/store/redis-store.js';
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from '../helpers/redis.js';
import { startRedisServer, type ThrowawayRedis } from './redis-server.js';
import { fingerprint, sleep, story, storedArticle } from './support.js';

const RETENTION_SECONDS = 30 * 86_400;


describe('RedisStore', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function open(prefix = uniquePrefix('rstore'), extra: { lockWaitMs?: number } = {}): Promise<{ store: RedisStore; redis: Redis; prefix: string }> {
    const store = await createRedisStore({ url: TEST_REDIS_URL, prefix, retentionDays: 30, ...extra });
    const redis = new Redis(TEST_REDIS_URL);
    cleanups.push(async () => {
      await store.close();
      redis.disconnect();
      await deletePrefix(prefix);
    });
    return { store, redis, prefix };
  }

  it('sets the retention expiry on every key it writes', async () => {
    const { store, redis, prefix } = await open();
    const bolivia = story('iran-bolivia-defence-mou', { title: 'Bolivia and Iran sign defence memorandum in Tehran', at: '2023-07-20T09:00:00.000Z', states: ['Bolivia'] });
    await store.claimUrl('https://la-razon.example/iran-bolivia-mou');
    await store.setValidators('https://la-razon.example/rss', { etag: '"abc"' });
    await store.saveStory(bolivia, storedArticle(bolivia.id, bolivia.url, fingerprint('h1', ['b0:0101'])));

    const keys = [
      `${prefix}:seen:https://la-razon.example/iran-bolivia-mou`,
      `${prefix}:story:${bolivia.id}`,
      `${prefix}:articles:${bolivia.id}`,
      `${prefix}:band-days`,
      `${prefix}:state:Bolivia`,
    ];
    const [validatorsKey] = await redis.keys(`${prefix}:validators:*`);
    // The band index: one small hash per day and shard, each field a band key naming its stories.
    const bandKeys = await redis.keys(`${prefix}:bands:*`);
    expect(bandKeys.length).toBeGreaterThan(0);
    const fields = Object.assign({}, ...(await Promise.all(bandKeys.map((key) => redis.hgetall(key))))) as Record<string, string>;
    expect(Object.values(fields)).toEqual([bolivia.id, bolivia.id]);
    for (const key of [...keys, ...bandKeys, validatorsKey ?? 'missing validators key']) {
      const ttl = await redis.ttl(key);
      expect(ttl, key).toBeGreaterThan(RETENTION_SECONDS - 60);
      expect(ttl, key).toBeLessThanOrEqual(RETENTION_SECONDS);
    }
  });

  it('drops expired stories from the story index on a later save', async () => {
    const { store, redis, prefix } = await open();
    const first = story('araghchi-call-caracas', { title: 'Araghchi and Venezuelan counterpart discuss ties by phone', at: '2024-09-02T10:00:00.000Z', states: ['Venezuela'] });
    const second = story('araghchi-gil-meeting', { title: 'Araghchi meets Venezuelan foreign minister Gil', at: '2024-09-05T10:00:00.000Z', states: ['Venezuela'] });
    await store.saveStory(first, storedArticle(first.id, first.url, fingerprint('h2', ['b0:0202'])));
    // As if Redis had expired it.
    await redis.del(`${prefix}:story:${first.id}`);
    expect((await store.listStories()).map((s) => s.id)).toEqual([]);
    await store.saveStory(second, storedArticle(second.id, second.url, fingerprint('h3', ['b0:0303'])));
    expect(await redis.zscore(`${prefix}:stories`, first.id)).toBeNull();
    expect(await redis.zscore(`${prefix}:state:Venezuela`, first.id)).toBeNull();
    expect((await store.listStories()).map((s) => s.id)).toEqual([second.id]);
  });

  it('reads stories saved in the older layout: JSON fingerprints and one set per band key', async () => {
    const { store, redis, prefix } = await open();
    const tour = story('raisi-havana-legacy', { title: 'Raisi and Diaz-Canel sign agreements in Havana', at: '2023-06-15T16:00:00.000Z', states: ['Cuba'] });
    const legacy = { storyId: tour.id, url: tour.url, publishedAt: tour.publishedAt, fingerprint: { contentHash: 'h9', minhash: [4_000_000_000, 7, 12], bands: ['b0:0909'] } };
    await redis.set(`${prefix}:story:${tour.id}`, JSON.stringify(tour));
    await redis.hset(`${prefix}:articles:${tour.id}`, tour.url, JSON.stringify(legacy));
    await redis.sadd(`${prefix}:band:b0:0909`, tour.id);

    const found = await store.findStoryCandidates(fingerprint('other', ['b0:0909']), { iranActors: [], latamStates: [], eventType: 'visit' }, '2023-06-01T00:00:00.000Z');
    expect(found.map((c) => c.story.id)).toEqual([tour.id]);
    expect(found[0]?.articles).toEqual([legacy]);
  });

  it('stores a fingerprint packed, a fraction of its JSON size', async () => {
    const { store, redis, prefix } = await open();
    const tour = story('raisi-managua-packed', { title: 'Ortega receives Raisi in Managua', at: '2023-06-13T20:30:00.000Z', states: ['Nicaragua'] });
    const minhash = Array.from({ length: 128 }, (_, i) => (i * 2_654_435_761) >>> 0);
    const bands = Array.from({ length: 25 }, (_, i) => `b${i}:${((i * 40_503) >>> 0).toString(16).padStart(8, '0')}`);
    const article = storedArticle(tour.id, tour.url, { contentHash: 'ab'.repeat(32), minhash, bands });
    await store.saveStory(tour, article);
    const raw = (await redis.hget(`${prefix}:articles:${tour.id}`, tour.url)) ?? '';
    expect(raw.length).toBeLessThan(0.6 * JSON.stringify(article).length);
    const [candidate] = await store.findStoryCandidates({ contentHash: 'x', minhash, bands: [bands[3] ?? ''] }, { iranActors: [], latamStates: [], eventType: 'visit' }, '2023-06-01T00:00:00.000Z');
    expect(candidate?.articles[0]?.fingerprint).toEqual({ contentHash: 'ab'.repeat(32), minhash, bands });
  });

  it('serializes story-lock sections across two stores (two processes) on one prefix', async () => {
    const { store: a, prefix } = await open();
    const { store: b } = await open(prefix);
    let inside = 0;
    let overlaps = 0;
    const section = async () => {
      inside += 1;
      if (inside > 1) overlaps += 1;
      await sleep(2);
      inside -= 1;
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).withStoryLock(section)));
    expect(overlaps).toBe(0);
  });

  it('gives up waiting for a held story lock with a TransientError', async () => {
    const { store: a, prefix } = await open();
    const { store: b } = await open(prefix, { lockWaitMs: 150 });
    let release: () => void = () => undefined;
    const held = a.withStoryLock(() => new Promise<void>((resolve) => (release = resolve)));
    await sleep(20);
    const waited = b.withStoryLock(async () => 'got it');
    await expect(waited).rejects.toBeInstanceOf(TransientError);
    await expect(waited).rejects.toThrow(/^store: story lock still held/);
    release();
    await held;
    expect(await b.withStoryLock(async () => 'got it')).toBe('got it');
  });

  it('releases only leases it holds', async () => {
    const { store: a, prefix } = await open();
    const { store: b } = await open(prefix);
    expect(await a.tryLease('discover:almayadeen-es', 60_000)).toBe(true);
    await b.releaseLease('discover:almayadeen-es');
    expect(await b.tryLease('discover:almayadeen-es', 60_000)).toBe(false);
    await a.releaseLease('discover:almayadeen-es');
    expect(await b.tryLease('discover:almayadeen-es', 60_000)).toBe(true);
  });

  describe('with a throw-away redis-server', () => {
    let server: ThrowawayRedis | undefined;
    afterEach(async () => {
      await server?.dispose();
      server = undefined;
    });

    it('refuses a Redis whose maxmemory-policy evicts keys', async () => {
      server = await startRedisServer(['--maxmemory-policy', 'allkeys-lru']);
      await expect(createRedisStore({ url: server.url, prefix: 'dw', retentionDays: 30 })).rejects.toThrow(
        /maxmemory-policy is "allkeys-lru".*need `maxmemory-policy noeviction`/,
      );
    });

    it('logs a lost connection once per outage, and the reconnection', async () => {
      server = await startRedisServer();
      const lines: string[] = [];
      const destination = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
          done();
        },
      });
      const store = await createRedisStore({ url: server.url, prefix: 'dw', retentionDays: 30, logger: createLogger({ level: 'info', destination, pretty: false }) });
      cleanups.push(() => store.close());
      await server.kill();
      const failures = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => store.claimUrl(`https://outage.example/${i}`)));
      expect(failures.every((result) => result.status === 'rejected')).toBe(true);
      await server.restart();
      const deadline = Date.now() + 10_000;
      while (!lines.some((line) => line.includes('redis: reconnected')) && Date.now() < deadline) await sleep(50);
      await store.ping();
      const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages.filter((msg) => msg === 'redis: connection lost')).toHaveLength(1);
      expect(messages.filter((msg) => msg === 'redis: reconnected')).toHaveLength(1);
    });
  });
});
