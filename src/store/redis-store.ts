import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { EventSignature } from '../detect/types.js';
import { TransientError, errorMessage } from '../errors.js';
import { redactUrl, type Logger } from '../log.js';
import type { Story, StoredArticle, StoryCandidate, TextFingerprint } from '../stories/types.js';
import type { DigestCursor, FailedAlert, FetchValidators, SourceHealth, Store, WebhookHealth } from './store.js';
import {
  asDigestCursor,
  asFailedAlert,
  asSourceHealth,
  asStory,
  asWebhookHealth,
  candidateIndexKeys,
  newestFirst,
  packArticle,
  unpackArticle,
} from './records.js';

/** Options of the Redis store. */
export interface RedisStoreOptions {
  url: string;
  /** Every key lives under `{prefix}:`. */
  prefix: string;
  /** Seen URLs, validators, stories and their indexes expire after this many days. */
  retentionDays: number;
  logger?: Logger;
  /**
   * Reports this store's connection losses together with the process's other Redis connections (the queue's),
   * so an outage is logged once. Without it the store logs its own.
   */
  watch?: ConnectionTracker;
  /**
   * How long withStoryLock waits for the lock before giving up with a TransientError.
   * @defaultValue 30000
   */
  lockWaitMs?: number;
}

/** Something that watches Redis connections and logs their outages (the queue's `ConnectionWatch`). */
export interface ConnectionTracker {
  track(redis: Redis): void;
}

/** Lifetime of the story lock; renewed while its holder runs, so it only lapses when the holder died. */
const STORY_LOCK_TTL_MS = 15_000;
/** Oldest index entries checked against their story key on each save, so indexes shrink as stories expire. */
const SWEEP_BATCH = 32;
const DAY_MS = 86_400_000;
/**
 * Band-index hashes per day. Spreading a day's band keys over this many small hashes keeps each one in Redis's
 * compact listpack encoding (up to 512 fields by default) at a few thousand articles a day.
 */
const BAND_SHARDS = 64;
/** Band-index days checked for expiry at a time, once every BAND_DAY_SWEEP_EVERY saves (days end slowly). */
const BAND_DAY_SWEEP = 4;
const BAND_DAY_SWEEP_EVERY = 32;

/**
 * Adds story ARGV[2] to field ARGV[2 + i] of hash KEYS[i], ids separated by spaces, and renews each hash's TTL
 * (ARGV[1] seconds). Several stories may share a band key; the field keeps all of them.
 */
const INDEX_BANDS = `
for i, key in ipairs(KEYS) do
  local field = ARGV[i + 2]
  local ids = redis.call('HGET', key, field)
  if not ids then
    redis.call('HSET', key, field, ARGV[2])
  elseif not string.find(' ' .. ids .. ' ', ' ' .. ARGV[2] .. ' ', 1, true) then
    redis.call('HSET', key, field, ids .. ' ' .. ARGV[2])
  end
  redis.call('EXPIRE', key, ARGV[1])
end
return 0`;

/**
 * Reads the band index inside the window in one call rather than one HMGET per day and shard from the client:
 * the days in sorted set KEYS[1] from day ARGV[1] on, under key prefix ARGV[2]; then ARGV holds, per shard, the
 * shard number, a field count and the fields. Returns the non-empty field values.
 */
const LOOKUP_BANDS = `
local found = {}
local days = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')
for _, day in ipairs(days) do
  local a = 3
  while a <= #ARGV do
    local n = tonumber(ARGV[a + 1])
    local values = redis.call('HMGET', ARGV[2] .. day .. ':' .. ARGV[a], unpack(ARGV, a + 2, a + 1 + n))
    for i = 1, n do
      if values[i] then found[#found + 1] = values[i] end
    end
    a = a + 2 + n
  end
end
return found`;

/** Deletes a key only when it still holds our token, so an expired lease taken over by another process is left alone. */
const RELEASE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
/** Extends a key's lifetime only when it still holds our token. */
const EXTEND_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * The Store port on Redis, shared by every diplowatch process using the same prefix. Everything expires after
 * `retentionDays`; candidate lookup reads only the band and state indexes, so it costs the same however many
 * stories are stored.
 */
export class RedisStore implements Store {
  readonly kind = 'redis' as const;
  private readonly prefix: string;
  private readonly ttlSeconds: number;
  private readonly lockWaitMs: number;
  /** Tokens of the leases this process holds, by lease name. */
  private readonly leaseTokens = new Map<string, string>();
  private readonly connection: ConnectionLog | undefined;
  private saves = 0;

  /** Use `createRedisStore`, which connects and checks the eviction policy. */
  constructor(
    private readonly redis: Redis,
    options: RedisStoreOptions,
  ) {
    this.prefix = options.prefix;
    this.ttlSeconds = Math.max(1, Math.round(options.retentionDays * 86_400));
    this.lockWaitMs = options.lockWaitMs ?? 30_000;
    if (options.watch) options.watch.track(redis);
    this.connection = options.watch ? undefined : new ConnectionLog(redis, options.logger);
  }

  async claimUrl(key: string): Promise<boolean> {
    return (await this.redis.set(this.key('seen', digestLong(key)), '1', 'EX', this.ttlSeconds, 'NX')) === 'OK';
  }

  async hasUrl(key: string): Promise<boolean> {
    return (await this.redis.exists(this.key('seen', digestLong(key)))) === 1;
  }

  async releaseUrl(key: string): Promise<void> {
    await this.redis.del(this.key('seen', digestLong(key)));
  }

  async tryLease(name: string, ttlMs: number): Promise<boolean> {
    const token = randomUUID();
    const taken = (await this.redis.set(this.key('lease', name), token, 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK';
    if (taken) this.leaseTokens.set(name, token);
    return taken;
  }

  async releaseLease(name: string): Promise<void> {
    const token = this.leaseTokens.get(name);
    if (token === undefined) return;
    this.leaseTokens.delete(name);
    await this.redis.eval(RELEASE_IF_OWNER, 1, this.key('lease', name), token);
  }

  async getValidators(url: string): Promise<FetchValidators | undefined> {
    const fields = await this.redis.hgetall(this.key('validators', digest(url)));
    const validators: FetchValidators = {};
    if (fields.etag) validators.etag = fields.etag;
    if (fields.lastModified) validators.lastModified = fields.lastModified;
    return validators.etag === undefined && validators.lastModified === undefined ? undefined : validators;
  }

  async setValidators(url: string, validators: FetchValidators): Promise<void> {
    const key = this.key('validators', digest(url));
    const fields: Record<string, string> = {};
    if (validators.etag) fields.etag = validators.etag;
    if (validators.lastModified) fields.lastModified = validators.lastModified;
    const tx = this.redis.multi().del(key);
    if (Object.keys(fields).length > 0) tx.hset(key, fields).expire(key, this.ttlSeconds);
    await tx.exec();
  }

  async withStoryLock<T>(fn: () => Promise<T>): Promise<T> {
    const key = this.key('lock', 'story');
    const token = randomUUID();
    const deadline = Date.now() + this.lockWaitMs;
    let pause = 5;
    while ((await this.redis.set(key, token, 'PX', STORY_LOCK_TTL_MS, 'NX')) !== 'OK') {
      if (Date.now() >= deadline) throw new TransientError(`store: story lock still held by another job after ${this.lockWaitMs} ms`);
      await sleep(Math.min(pause * (0.5 + Math.random()), Math.max(1, deadline - Date.now())));
      // Capped low: story sections take milliseconds, and waiters should not sleep through many of them.
      pause = Math.min(pause * 2, 50);
    }
    const renew = setInterval(() => {
      this.redis.eval(EXTEND_IF_OWNER, 1, key, token, STORY_LOCK_TTL_MS).catch(() => undefined);
    }, STORY_LOCK_TTL_MS / 3);
    renew.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      await this.redis.eval(RELEASE_IF_OWNER, 1, key, token);
    }
  }

  async findStoryCandidates(fingerprint: TextFingerprint, signature: EventSignature, sinceIso: string): Promise<StoryCandidate[]> {
    const since = Date.parse(sinceIso);
    const { bands, states } = candidateIndexKeys(fingerprint, signature);
    const read = this.redis.pipeline();
    const shards = [...bandFieldsByShard(bands)].flatMap(([shard, names]) => [String(shard), String(names.length), ...names]);
    if (shards.length > 0) read.eval(LOOKUP_BANDS, 1, this.key('band-days'), Number.isNaN(since) ? '-inf' : dayOf(since), `${this.key('bands')}:`, ...shards);
    // Stories saved before band keys were bucketed by day sit in one set per band key until those sets expire.
    for (const band of bands) read.smembers(this.key('band', band));
    for (const state of states) read.zrangebyscore(this.key('state', state), Number.isNaN(since) ? '-inf' : since, '+inf');
    const ids = new Set<string>();
    for (const [err, members] of (await read.exec()) ?? []) {
      if (err) throw err;
      if (!Array.isArray(members)) continue;
      for (const entry of members) if (typeof entry === 'string') for (const id of entry.split(' ')) if (id !== '') ids.add(id);
    }
    if (ids.size === 0) return [];
    const stories = (await this.getStories([...ids])).filter((story) => Number.isNaN(since) || Date.parse(story.updatedAt) >= since);
    const articles = this.redis.pipeline();
    for (const story of stories) articles.hvals(this.key('articles', story.id));
    const results = (await articles.exec()) ?? [];
    return stories.map((story, i) => {
      const values = results[i]?.[1];
      return { story, articles: Array.isArray(values) ? values.map((value) => unpackArticle(JSON.parse(String(value)), story.id)) : [] };
    });
  }

  async saveStory(story: Story, article: StoredArticle): Promise<void> {
    const ttl = this.ttlSeconds;
    const articlesKey = this.key('articles', story.id);
    // Band keys are filed under the day the story was last updated, which this save moves: the story's earlier
    // articles are filed again under the new day, so a lookup inside the window still finds them.
    const earlier = story.articles.length > 1 ? (await this.redis.hvals(articlesKey)).map((value) => unpackArticle(JSON.parse(value), story.id)) : [];
    const tx = this.redis.multi();
    tx.set(this.key('story', story.id), JSON.stringify(story), 'EX', ttl);
    tx.zadd(this.key('stories'), Date.parse(story.createdAt) || 0, story.id);
    tx.hset(articlesKey, article.url, JSON.stringify(packArticle(article))).expire(articlesKey, ttl);
    const { bands, states } = candidateIndexKeys(article.fingerprint, story.signature);
    const allBands = new Set(bands);
    for (const other of earlier) for (const band of candidateIndexKeys(other.fingerprint, story.signature).bands) allBands.add(band);
    const day = dayOf(Date.parse(story.updatedAt) || 0);
    const keys: string[] = [];
    const names: string[] = [];
    for (const [shard, fields] of bandFieldsByShard([...allBands])) {
      for (const field of fields) {
        keys.push(this.bandKey(day, shard));
        names.push(field);
      }
    }
    if (keys.length > 0) tx.eval(INDEX_BANDS, keys.length, ...keys, ttl, story.id, ...names);
    tx.zadd(this.key('band-days'), day, String(day)).expire(this.key('band-days'), ttl);
    for (const state of states) {
      const key = this.key('state', state);
      tx.zadd(key, Date.parse(story.updatedAt) || 0, story.id).expire(key, ttl);
    }
    for (const [err] of (await tx.exec()) ?? []) if (err) throw err;
    await this.sweepIndex(this.key('stories'));
    if (++this.saves % BAND_DAY_SWEEP_EVERY === 1) await this.sweepBandDays();
    for (const state of states) await this.sweepIndex(this.key('state', state));
  }

  async getStory(id: string): Promise<Story | undefined> {
    const raw = await this.redis.get(this.key('story', id));
    return raw === null ? undefined : asStory(JSON.parse(raw));
  }

  async listStories(options: { since?: string; limit?: number } = {}): Promise<Story[]> {
    const since = options.since === undefined ? Number.NaN : Date.parse(options.since);
    const min = Number.isNaN(since) ? '-inf' : since;
    const ids =
      options.limit === undefined
        ? await this.redis.zrevrangebyscore(this.key('stories'), '+inf', min)
        : await this.redis.zrevrangebyscore(this.key('stories'), '+inf', min, 'LIMIT', 0, options.limit);
    return newestFirst(await this.getStories(ids));
  }

  async addFailedAlert(failed: FailedAlert): Promise<void> {
    await this.redis.hset(this.key('failed-alerts'), failed.alertId, JSON.stringify(failed));
  }

  async listFailedAlerts(): Promise<FailedAlert[]> {
    const values = await this.redis.hvals(this.key('failed-alerts'));
    return values.map((value) => asFailedAlert(JSON.parse(value))).sort((a, b) => a.failedAt.localeCompare(b.failedAt));
  }

  async removeFailedAlert(alertId: string): Promise<void> {
    await this.redis.hdel(this.key('failed-alerts'), alertId);
  }

  async getDigestCursor(webhookId: string): Promise<DigestCursor | undefined> {
    const raw = await this.redis.hget(this.key('digest-cursors'), webhookId);
    return raw === null ? undefined : asDigestCursor(JSON.parse(raw));
  }

  async setDigestCursor(webhookId: string, cursor: DigestCursor): Promise<void> {
    // No expiry: a cursor that lapsed would make the next digest start over.
    await this.redis.hset(this.key('digest-cursors'), webhookId, JSON.stringify(cursor));
  }

  async setSourceHealth(sourceId: string, health: SourceHealth): Promise<void> {
    await this.redis.hset(this.key('health'), sourceId, JSON.stringify(health));
  }

  async getSourceHealth(sourceId: string): Promise<SourceHealth | undefined> {
    const raw = await this.redis.hget(this.key('health'), sourceId);
    return raw === null ? undefined : asSourceHealth(JSON.parse(raw));
  }

  async disableWebhook(webhookId: string, health: WebhookHealth): Promise<boolean> {
    // HSETNX: of several processes seeing the same 410, exactly one disables (and logs).
    return (await this.redis.hsetnx(this.key('webhook-health'), webhookId, JSON.stringify(health))) === 1;
  }

  async getWebhookHealth(webhookId: string): Promise<WebhookHealth | undefined> {
    const raw = await this.redis.hget(this.key('webhook-health'), webhookId);
    return raw === null ? undefined : asWebhookHealth(JSON.parse(raw));
  }

  async enableWebhook(webhookId: string): Promise<boolean> {
    return (await this.redis.hdel(this.key('webhook-health'), webhookId)) === 1;
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    this.connection?.stop();
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  /** Stories by id, skipping those that expired. */
  private async getStories(ids: string[]): Promise<Story[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.key('story', id)));
    return raws.flatMap((raw) => (raw === null ? [] : [asStory(JSON.parse(raw))]));
  }

  /** Drops the oldest index entries whose story has expired; Redis expires keys, not members of a sorted set. */
  private async sweepIndex(indexKey: string): Promise<void> {
    const oldest = await this.redis.zrange(indexKey, 0, SWEEP_BATCH - 1);
    if (oldest.length === 0) return;
    const check = this.redis.pipeline();
    for (const id of oldest) check.exists(this.key('story', id));
    const results = (await check.exec()) ?? [];
    const gone = oldest.filter((_id, i) => results[i]?.[1] === 0);
    if (gone.length > 0) await this.redis.zrem(indexKey, ...gone);
  }

  /** Forgets the oldest band-index days whose hashes have all expired. */
  private async sweepBandDays(): Promise<void> {
    const days = await this.redis.zrange(this.key('band-days'), 0, BAND_DAY_SWEEP - 1);
    if (days.length === 0) return;
    const check = this.redis.pipeline();
    for (const day of days) check.exists(...Array.from({ length: BAND_SHARDS }, (_, shard) => this.bandKey(day, shard)));
    const results = (await check.exec()) ?? [];
    const gone = days.filter((_day, i) => results[i]?.[1] === 0);
    if (gone.length > 0) await this.redis.zrem(this.key('band-days'), ...gone);
  }

  /** `{prefix}:bands:{day}:{shard}`; LOOKUP_BANDS builds the same names. */
  private bandKey(day: string | number, shard: number): string {
    return this.key('bands', String(day), String(shard));
  }

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }
}

/**
 * Connects, checks that Redis will not evict diplowatch's keys, and returns the store.
 * Rejects when Redis cannot be reached or its `maxmemory-policy` evicts keys.
 */
export async function createRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
  const redis = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 5 });
  // connect() rejects with a bare "Connection is closed"; the socket's own error (ECONNREFUSED…) says why.
  let socketError: Error | undefined;
  const onError = (err: Error) => {
    socketError = err;
  };
  redis.on('error', onError);
  try {
    await redis.connect();
    await checkEvictionPolicy(redis, options.logger);
  } catch (err) {
    redis.disconnect();
    if (err instanceof EvictionPolicyError) throw err;
    throw new Error(`store: cannot connect to Redis at ${redactUrl(options.url)} (${socketError?.message ?? errorMessage(err)})`, { cause: err });
  } finally {
    redis.off('error', onError);
  }
  return new RedisStore(redis, options);
}

/** Redis is set to evict keys, which would silently lose seen URLs, stories and queued jobs. */
export class EvictionPolicyError extends Error {
  override readonly name = 'EvictionPolicyError';
}

async function checkEvictionPolicy(redis: Redis, logger: Logger | undefined): Promise<void> {
  let policy: string | undefined;
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as unknown;
    if (Array.isArray(reply) && typeof reply[1] === 'string') policy = reply[1];
  } catch (err) {
    // Managed Redis services often refuse CONFIG; the policy cannot be checked then, only documented.
    logger?.debug({ err: errorMessage(err) }, 'store: cannot read maxmemory-policy; make sure it is noeviction');
    return;
  }
  if (policy !== undefined && policy !== 'noeviction') {
    throw new EvictionPolicyError(
      `store: Redis maxmemory-policy is "${policy}", which evicts keys when memory runs short; diplowatch's state and BullMQ's queues need ` +
        '`maxmemory-policy noeviction` (set it with `CONFIG SET maxmemory-policy noeviction` and in redis.conf)',
    );
  }
}

/** Logs "redis: connection lost" once per outage and "redis: reconnected" when it is back. */
class ConnectionLog {
  private down = false;
  private stopped = false;

  constructor(redis: Redis, logger: Logger | undefined) {
    const lost = (err?: Error) => {
      if (this.down || this.stopped) return;
      this.down = true;
      logger?.warn({ err: err?.message }, 'redis: connection lost');
    };
    redis.on('error', (err: Error) => lost(err));
    redis.on('close', () => lost());
    redis.on('ready', () => {
      if (!this.down || this.stopped) return;
      this.down = false;
      logger?.info('redis: reconnected');
    });
  }

  stop(): void {
    this.stopped = true;
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Short keys stay readable in redis-cli; long ones are hashed to bound key size. */
function digestLong(text: string): string {
  return text.length <= 128 ? text : `#${digest(text)}`;
}

function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/**
 * Band keys as hash fields, grouped by shard. Long keys (`content=<sha256>`) are shortened to a digest: a field
 * over 64 bytes would turn its whole hash into Redis's larger encoding, and a rare clash only adds a candidate
 * that the matcher then rejects.
 */
function bandFieldsByShard(bands: string[]): Map<number, string[]> {
  const byShard = new Map<number, string[]>();
  for (const band of bands) {
    const field = band.length <= 24 ? band : digest(band).slice(0, 16);
    let h = 0;
    for (let i = 0; i < field.length; i++) h = (Math.imul(h, 31) + field.charCodeAt(i)) >>> 0;
    const shard = h % BAND_SHARDS;
    const fields = byShard.get(shard) ?? [];
    if (!fields.includes(field)) fields.push(field);
    byShard.set(shard, fields);
  }
  return byShard;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
