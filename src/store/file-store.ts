import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { writeFileAtomically } from '../atomic-file.js';
import { join, resolve } from 'node:path';
import type { EventSignature } from '../detect/types.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Story, StoredArticle, StoryCandidate, TextFingerprint } from '../stories/types.js';
import type { DigestCursor, FailedAlert, FetchValidators, SourceHealth, Store, WebhookHealth } from './store.js';
import {
  asDigestCursor,
  asFailedAlert,
  asSourceHealth,
  asStory,
  asWebhookHealth,
  bandHashes,
  lazyBands,
  candidateIndexKeys,
  newestFirst,
  packUint32,
  unpackArticle,
  type PackedArticle,
} from './records.js';

/** Options of the embedded store. */
export interface FileStoreOptions {
  /** The `state.dir` folder; created when missing. */
  dir: string;
  /** Seen URLs, validators and stories expire after this many days. */
  retentionDays: number;
  /** Clock, in ms since the epoch; tests pass their own. @defaultValue Date.now */
  now?: () => number;
  logger?: Logger;
  /**
   * Writes are coalesced for this long after a change.
   * @defaultValue 100
   */
  flushDelayMs?: number;
}

/** The files of the embedded store, one per concern. */
const FILES = ['seen', 'validators', 'stories', 'failed-alerts', 'health', 'webhooks', 'digest-cursors'] as const;
type FileName = (typeof FILES)[number];

const FORMAT_VERSION = 1;
const SWEEP_INTERVAL_MS = 10 * 60_000;
/** After a failed write, try again this much later rather than on every change. */
const RETRY_WRITE_MS = 1_000;
/** Longest a change waits for its write when large files make writes slow. */
const MAX_ADAPTIVE_DELAY_MS = 5_000;

const DAY_MS = 86_400_000;

/**
 * An article as kept in memory: MinHash and band hashes in typed arrays, a fraction of the heap that arrays of
 * numbers and band-key strings take. Hand-made fingerprints that do not fit stay as they are.
 */
interface MemoryArticle {
  url: string;
  publishedAt?: string;
  contentHash: string;
  minhash: Uint32Array | number[];
  bands: Uint32Array | string[];
}

interface StoryEntry {
  story: Story;
  /** By article URL, so saving the same article twice keeps one copy. */
  articles: Map<string, MemoryArticle>;
  expiresAt: number;
  /** Where the story sits in the state index, so an update can move it. */
  indexed?: { day: number; states: string[] };
}

/** A band index key: a number for standard band keys (no string per entry), the key itself otherwise. */
type BandKey = number | string;

interface ValidatorEntry extends FetchValidators {
  expiresAt: number;
}

/** Folders whose lock this process holds, so a second store on one folder is refused even with our own pid. */
const openDirs = new Set<string>();

/**
 * The Store port for embedded mode: state in memory, persisted as one JSON file per concern under `state.dir`.
 * Files are replaced atomically (write `*.tmp`, fsync, rename, fsync the folder) and writes are coalesced; a
 * lock file keeps a second process off the same folder. Candidate lookup uses in-memory band and state indexes
 * rebuilt at load, so it never scans every story.
 */
export class FileStore implements Store {
  readonly kind = 'embedded' as const;
  private readonly dir: string;
  private readonly retentionMs: number;
  private readonly now: () => number;
  private readonly logger: Logger | undefined;
  private readonly flushDelayMs: number;

  private readonly seen = new Map<string, number>();
  private readonly validators = new Map<string, ValidatorEntry>();
  private readonly stories = new Map<string, StoryEntry>();
  private readonly failedAlerts = new Map<string, FailedAlert>();
  private readonly health = new Map<string, SourceHealth>();
  private readonly digestCursors = new Map<string, DigestCursor>();
  private readonly webhooks = new Map<string, WebhookHealth>();
  /** Band (and content-hash) key → the story, or stories, indexed under it. */
  private readonly bandIndex = new Map<BandKey, string | Set<string>>();
  /** State → day of updatedAt → stories; a lookup reads only the days inside its window. */
  private readonly stateIndex = new Map<string, Map<number, Set<string>>>();
  /** The latest day any story was indexed under. */
  private maxDay = Number.NEGATIVE_INFINITY;
  private readonly leases = new Map<string, number>();

  private readonly dirty = new Set<FileName>();
  private flushTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** How long the last flush took; large state files are rewritten less often. */
  private lastWriteMs = 0;
  private lockTail: Promise<void> = Promise.resolve();
  private closed = false;

  /** Use `createFileStore`, which takes the lock and loads the files. */
  constructor(options: FileStoreOptions) {
    this.dir = resolve(options.dir);
    this.retentionMs = options.retentionDays * 86_400_000;
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
    this.flushDelayMs = options.flushDelayMs ?? 100;
  }

  async claimUrl(key: string): Promise<boolean> {
    if (this.hasUrlNow(key)) return false;
    this.seen.set(key, this.expiry());
    this.changed('seen');
    return true;
  }

  async hasUrl(key: string): Promise<boolean> {
    return this.hasUrlNow(key);
  }

  async releaseUrl(key: string): Promise<void> {
    if (this.seen.delete(key)) this.changed('seen');
  }

  async tryLease(name: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const heldUntil = this.leases.get(name);
    if (heldUntil !== undefined && heldUntil > now) return false;
    this.leases.set(name, now + ttlMs);
    return true;
  }

  async releaseLease(name: string): Promise<void> {
    this.leases.delete(name);
  }

  async getValidators(url: string): Promise<FetchValidators | undefined> {
    const entry = this.validators.get(url);
    if (!entry || entry.expiresAt <= this.now()) return undefined;
    const validators: FetchValidators = {};
    if (entry.etag !== undefined) validators.etag = entry.etag;
    if (entry.lastModified !== undefined) validators.lastModified = entry.lastModified;
    return validators;
  }

  async setValidators(url: string, validators: FetchValidators): Promise<void> {
    if (validators.etag === undefined && validators.lastModified === undefined) {
      this.validators.delete(url);
    } else {
      this.validators.set(url, { etag: validators.etag, lastModified: validators.lastModified, expiresAt: this.expiry() });
    }
    this.changed('validators');
  }

  async withStoryLock<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.lockTail;
    let release: () => void = () => undefined;
    this.lockTail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }

  async findStoryCandidates(fingerprint: TextFingerprint, signature: EventSignature, sinceIso: string): Promise<StoryCandidate[]> {
    const since = Date.parse(sinceIso);
    const now = this.now();
    const { bands, states } = candidateIndexKeys(fingerprint, signature);
    const ids = new Set<string>();
    for (const band of bands) {
      const found = this.bandIndex.get(bandIndexKey(band));
      if (typeof found === 'string') ids.add(found);
      else for (const id of found ?? []) ids.add(id);
    }
    const sinceDay = Number.isNaN(since) ? Number.NEGATIVE_INFINITY : dayOf(since);
    for (const state of states) {
      const days = this.stateIndex.get(state);
      if (!days) continue;
      if (this.maxDay - sinceDay + 1 > days.size) {
        for (const [day, members] of days) if (day >= sinceDay) for (const id of members) ids.add(id);
      } else {
        for (let day = sinceDay; day <= this.maxDay; day++) for (const id of days.get(day) ?? []) ids.add(id);
      }
    }
    const candidates: StoryCandidate[] = [];
    for (const id of ids) {
      const entry = this.stories.get(id);
      if (!entry || entry.expiresAt <= now) continue;
      if (!Number.isNaN(since) && Date.parse(entry.story.updatedAt) < since) continue;
      candidates.push({ story: entry.story, articles: [...entry.articles.values()].map((article) => fromMemory(article, id)) });
    }
    return candidates;
  }

  async saveStory(story: Story, article: StoredArticle): Promise<void> {
    const entry: StoryEntry = this.stories.get(story.id) ?? { story, articles: new Map<string, MemoryArticle>(), expiresAt: 0 };
    entry.story = story;
    const kept = toMemory(article);
    entry.articles.set(article.url, kept);
    entry.expiresAt = this.expiry();
    this.stories.set(story.id, entry);
    this.indexArticle(story.id, kept);
    this.indexStates(story.id, entry);
    this.changed('stories');
  }

  async getStory(id: string): Promise<Story | undefined> {
    const entry = this.stories.get(id);
    return entry && entry.expiresAt > this.now() ? entry.story : undefined;
  }

  async listStories(options: { since?: string; limit?: number } = {}): Promise<Story[]> {
    const since = options.since === undefined ? Number.NaN : Date.parse(options.since);
    const now = this.now();
    const stories = [...this.stories.values()]
      .filter((entry) => entry.expiresAt > now && (Number.isNaN(since) || Date.parse(entry.story.createdAt) >= since))
      .map((entry) => entry.story);
    const sorted = newestFirst(stories);
    return options.limit === undefined ? sorted : sorted.slice(0, options.limit);
  }

  async addFailedAlert(failed: FailedAlert): Promise<void> {
    this.failedAlerts.set(failed.alertId, failed);
    this.changed('failed-alerts');
  }

  async listFailedAlerts(): Promise<FailedAlert[]> {
    return [...this.failedAlerts.values()].sort((a, b) => a.failedAt.localeCompare(b.failedAt));
  }

  async removeFailedAlert(alertId: string): Promise<void> {
    if (this.failedAlerts.delete(alertId)) this.changed('failed-alerts');
  }

  async getDigestCursor(webhookId: string): Promise<DigestCursor | undefined> {
    return this.digestCursors.get(webhookId);
  }

  async setDigestCursor(webhookId: string, cursor: DigestCursor): Promise<void> {
    this.digestCursors.set(webhookId, cursor);
    this.changed('digest-cursors');
    // Written now, not coalesced: a cursor lost in a crash would send a digest twice under two ids.
    await this.flush();
  }

  async setSourceHealth(sourceId: string, health: SourceHealth): Promise<void> {
    this.health.set(sourceId, health);
    this.changed('health');
  }

  async getSourceHealth(sourceId: string): Promise<SourceHealth | undefined> {
    return this.health.get(sourceId);
  }

  async disableWebhook(webhookId: string, health: WebhookHealth): Promise<boolean> {
    if (this.webhooks.has(webhookId)) return false;
    this.webhooks.set(webhookId, health);
    this.changed('webhooks');
    return true;
  }

  async getWebhookHealth(webhookId: string): Promise<WebhookHealth | undefined> {
    return this.webhooks.get(webhookId);
  }

  async enableWebhook(webhookId: string): Promise<boolean> {
    if (!this.webhooks.delete(webhookId)) return false;
    this.changed('webhooks');
    return true;
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error(`store: ${this.dir} is closed`);
  }

  /** Writes every pending change now; rejects if a file could not be written. */
  async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const pending = [...this.dirty];
    this.dirty.clear();
    // Writes run one after another, so two flushes never share a `*.tmp` file.
    const run = this.writing.then(async () => {
      const started = performance.now();
      for (const [i, name] of pending.entries()) {
        try {
          await writeFileAtomically(this.file(name), JSON.stringify({ version: FORMAT_VERSION, entries: this.serialize(name) }));
        } catch (err) {
          for (const unwritten of pending.slice(i)) this.dirty.add(unwritten);
          throw new Error(`state: cannot write ${this.file(name)} (${errorMessage(err)})`, { cause: err });
        }
      }
      this.lastWriteMs = performance.now() - started;
    });
    this.writing = run.catch(() => undefined);
    await run;
  }

  /** Writes pending changes, stops timers and releases the lock file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    try {
      await this.flush();
    } finally {
      await unlink(join(this.dir, 'lock')).catch(() => undefined);
      openDirs.delete(this.dir);
    }
  }

  /** Takes the lock file and loads every file, dropping expired entries. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await acquireLock(this.dir);
    try {
      await this.load();
    } catch (err) {
      await unlink(join(this.dir, 'lock')).catch(() => undefined);
      openDirs.delete(this.dir);
      throw err;
    }
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  /** Drops expired entries from memory (and, at the next write, from disk). */
  sweep(): void {
    const now = this.now();
    let seenChanged = false;
    for (const [key, expiresAt] of this.seen) if (expiresAt <= now) seenChanged = this.seen.delete(key);
    if (seenChanged) this.changed('seen');
    let validatorsChanged = false;
    for (const [url, entry] of this.validators) if (entry.expiresAt <= now) validatorsChanged = this.validators.delete(url);
    if (validatorsChanged) this.changed('validators');
    let storiesChanged = false;
    for (const [id, entry] of this.stories) {
      if (entry.expiresAt > now) continue;
      this.unindex(id, entry);
      storiesChanged = this.stories.delete(id);
    }
    if (storiesChanged) this.changed('stories');
  }

  private async load(): Promise<void> {
    const now = this.now();
    for (const [key, expiresAt] of Object.entries(await this.read('seen'))) {
      if (typeof expiresAt === 'number' && expiresAt > now) this.seen.set(key, expiresAt);
    }
    for (const [url, value] of Object.entries(await this.read('validators'))) {
      const entry = value as ValidatorEntry;
      if (typeof entry.expiresAt === 'number' && entry.expiresAt > now) this.validators.set(url, entry);
    }
    for (const [id, value] of Object.entries(await this.read('stories'))) {
      const raw = value as { story: unknown; articles: unknown; expiresAt: unknown };
      if (typeof raw.expiresAt !== 'number' || raw.expiresAt <= now) continue;
      const story = asStory(raw.story);
      const entry: StoryEntry = { story, articles: new Map<string, MemoryArticle>(), expiresAt: raw.expiresAt };
      for (const item of Array.isArray(raw.articles) ? raw.articles : []) {
        const article = toMemory(unpackArticle(item, id));
        entry.articles.set(article.url, article);
        this.indexArticle(id, article);
      }
      this.stories.set(id, entry);
      this.indexStates(id, entry);
    }
    for (const [id, value] of Object.entries(await this.read('failed-alerts'))) this.failedAlerts.set(id, asFailedAlert(value));
    for (const [id, value] of Object.entries(await this.read('health'))) this.health.set(id, asSourceHealth(value));
    for (const [id, value] of Object.entries(await this.read('digest-cursors'))) this.digestCursors.set(id, asDigestCursor(value));
    for (const [id, value] of Object.entries(await this.read('webhooks'))) this.webhooks.set(id, asWebhookHealth(value));
  }

  /** The `entries` object of one file; empty when the file does not exist. A `*.tmp` left by a crash is ignored. */
  private async read(name: FileName): Promise<Record<string, unknown>> {
    const path = this.file(name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new Error(`state: cannot read ${path} (${errorMessage(err)})`, { cause: err });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new Error(`state: ${path} is not valid JSON (${errorMessage(err)}); move it aside to start fresh, or restore it from a backup`, { cause: err });
    }
    const entries = typeof parsed === 'object' && parsed !== null && 'entries' in parsed ? parsed.entries : undefined;
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
      throw new Error(`state: ${path} is not a diplowatch state file (no "entries" object); move it aside to start fresh, or restore it from a backup`);
    }
    // Story records are checked now, so a damaged one is reported with its file at start-up rather than later.
    if (name === 'stories') for (const value of Object.values(entries)) assertStoryEntry(value, path);
    return entries as Record<string, unknown>;
  }

  private serialize(name: FileName): Record<string, unknown> {
    switch (name) {
      case 'seen':
        return Object.fromEntries(this.seen);
      case 'validators':
        return Object.fromEntries(this.validators);
      case 'stories':
        return Object.fromEntries(
          [...this.stories].map(([id, entry]) => [
            id,
            { story: entry.story, articles: [...entry.articles.values()].map(packMemory), expiresAt: entry.expiresAt },
          ]),
        );
      case 'failed-alerts':
        return Object.fromEntries(this.failedAlerts);
      case 'health':
        return Object.fromEntries(this.health);
      case 'digest-cursors':
        return Object.fromEntries(this.digestCursors);
      case 'webhooks':
        return Object.fromEntries(this.webhooks);
    }
  }

  private indexArticle(storyId: string, article: MemoryArticle): void {
    for (const key of articleIndexKeys(article)) {
      const ids = this.bandIndex.get(key);
      if (ids === undefined || ids === storyId) this.bandIndex.set(key, storyId);
      else if (typeof ids === 'string') this.bandIndex.set(key, new Set([ids, storyId]));
      else ids.add(storyId);
    }
  }

  /** Files the story under each of its states on the day it was last updated, moving it from where it was. */
  private indexStates(storyId: string, entry: StoryEntry): void {
    this.unindexStates(storyId, entry);
    const day = dayOf(Date.parse(entry.story.updatedAt) || 0);
    const states = [...new Set(entry.story.signature.latamStates)];
    for (const state of states) {
      const days = this.stateIndex.get(state) ?? new Map<number, Set<string>>();
      this.stateIndex.set(state, days);
      const members = days.get(day);
      if (members) members.add(storyId);
      else days.set(day, new Set([storyId]));
    }
    entry.indexed = { day, states };
    if (day > this.maxDay) this.maxDay = day;
  }

  private unindexStates(storyId: string, entry: StoryEntry): void {
    if (!entry.indexed) return;
    for (const state of entry.indexed.states) {
      const days = this.stateIndex.get(state);
      const members = days?.get(entry.indexed.day);
      if (!days || !members) continue;
      members.delete(storyId);
      if (members.size === 0) days.delete(entry.indexed.day);
      if (days.size === 0) this.stateIndex.delete(state);
    }
    entry.indexed = undefined;
  }

  private unindex(storyId: string, entry: StoryEntry): void {
    this.unindexStates(storyId, entry);
    for (const article of entry.articles.values()) {
      for (const key of articleIndexKeys(article)) {
        const ids = this.bandIndex.get(key);
        if (ids === storyId) this.bandIndex.delete(key);
        else if (ids instanceof Set) {
          ids.delete(storyId);
          if (ids.size === 1) this.bandIndex.set(key, [...ids][0] ?? storyId);
        }
      }
    }
  }

  private hasUrlNow(key: string): boolean {
    const expiresAt = this.seen.get(key);
    return expiresAt !== undefined && expiresAt > this.now();
  }

  private expiry(): number {
    return this.now() + this.retentionMs;
  }

  private changed(name: FileName): void {
    this.dirty.add(name);
    if (this.flushTimer || this.closed) return;
    // Each flush rewrites whole files: waiting ten times the last write keeps writing under ~10% of the time,
    // up to a bound on how much a crash can lose.
    const delay = Math.max(this.flushDelayMs, Math.min(10 * this.lastWriteMs, MAX_ADAPTIVE_DELAY_MS));
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush().catch((err: unknown) => {
        this.logger?.error({ err: errorMessage(err) }, 'state: write failed; will retry');
        if (!this.flushTimer && !this.closed) this.flushTimer = setTimeout(() => void this.flush().catch(() => undefined), RETRY_WRITE_MS);
      });
    }, delay);
  }

  private file(name: FileName): string {
    return join(this.dir, `${name}.json`);
  }
}

/** Opens (creating the folder and taking its lock) the embedded store under `dir`. */
export async function createFileStore(options: FileStoreOptions): Promise<FileStore> {
  const store = new FileStore(options);
  await store.open();
  return store;
}


/** Takes `dir/lock` for this process, replacing a lock left by a process that is no longer running. */
async function acquireLock(dir: string): Promise<void> {
  const path = join(dir, 'lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
      openDirs.add(dir);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`state: cannot create lock file ${path} (${errorMessage(err)})`, { cause: err });
    }
    const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    const heldHere = pid === process.pid && openDirs.has(dir);
    if (Number.isInteger(pid) && pid > 0 && (heldHere || (pid !== process.pid && isAlive(pid)))) {
      throw new Error(
        `state: ${dir} is in use by another diplowatch process (pid ${pid}, lock file ${path}); stop that process first, ` +
          'or delete the lock file if no such process is running',
      );
    }
    await unlink(path).catch(() => undefined);
  }
  throw new Error(`state: cannot take lock file ${path}; another process keeps re-creating it`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function assertStoryEntry(value: unknown, path: string): void {
  if (typeof value !== 'object' || value === null || !('story' in value) || !('expiresAt' in value)) {
    throw new Error(`state: ${path} holds a story record without "story" and "expiresAt"; move it aside to start fresh, or restore it from a backup`);
  }
}

function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/**
 * `b<i>:<hex>` as one 32-bit integer (a small integer to V8: no string or boxed number per index entry); anything
 * else as is. Two band keys may share an integer; that only adds a candidate the matcher then rejects.
 */
function bandIndexKey(band: string): BandKey {
  const match = /^b(\d+):([0-9a-f]{8})$/.exec(band);
  return match ? bandNumber(Number.parseInt(match[2] ?? '', 16), Number(match[1])) : band;
}

function bandNumber(hash: number, i: number): number {
  return (Math.imul(i + 1, 0x9e3779b1) ^ hash) | 0;
}

function articleIndexKeys(article: MemoryArticle): BandKey[] {
  const keys: BandKey[] = article.bands instanceof Uint32Array ? Array.from(article.bands, bandNumber) : article.bands.map(bandIndexKey);
  if (article.contentHash) keys.push(`content=${article.contentHash}`);
  return keys;
}

function toMemory(article: StoredArticle): MemoryArticle {
  const { minhash, bands, contentHash } = article.fingerprint;
  const hashes = bandHashes(bands);
  const kept: MemoryArticle = {
    url: article.url,
    contentHash,
    minhash: minhash.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff) ? Uint32Array.from(minhash) : minhash,
    bands: hashes && hashes.length > 0 ? Uint32Array.from(hashes) : bands,
  };
  if (article.publishedAt !== undefined) kept.publishedAt = article.publishedAt;
  return kept;
}

/** The stored form (`packArticle`'s) straight from memory, without spelling the fingerprint out first. */
function packMemory(article: MemoryArticle): PackedArticle {
  const { minhash, bands } = article;
  const packed: PackedArticle = {
    url: article.url,
    fingerprint: {
      contentHash: article.contentHash,
      minhash: minhash instanceof Uint32Array ? packUint32(minhash) : minhash,
      bands: bands instanceof Uint32Array ? packUint32(bands) : bands,
    },
  };
  if (article.publishedAt !== undefined) packed.publishedAt = article.publishedAt;
  return packed;
}

function fromMemory(article: MemoryArticle, storyId: string): StoredArticle {
  const { bands } = article;
  const minhash = new Array<number>(article.minhash.length);
  // A plain loop: Array.from over a typed array goes through the iterator protocol, several times slower.
  for (let i = 0; i < minhash.length; i++) minhash[i] = article.minhash[i] ?? 0;
  const fingerprint = { contentHash: article.contentHash, minhash, bands: [] as string[] };
  if (bands instanceof Uint32Array) lazyBands(fingerprint, () => bands);
  else fingerprint.bands = bands;
  const stored: StoredArticle = { storyId, url: article.url, fingerprint };
  if (article.publishedAt !== undefined) stored.publishedAt = article.publishedAt;
  return stored;
}
