import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import type { EventSignature } from '../detect/types.js';
import type { Story, StoredArticle, TextFingerprint } from '../stories/types.js';
import type { DigestCursor, FailedAlert, SourceHealth, WebhookHealth } from './store.js';

/**
 * Index keys under which a story is found again: each LSH band of its articles' fingerprints, the exact
 * content hash, and each Latin American state of its signature. Both stores index and look up with these.
 */
export function candidateIndexKeys(fingerprint: TextFingerprint, signature: EventSignature): { bands: string[]; states: string[] } {
  const bands = new Set(fingerprint.bands);
  if (fingerprint.contentHash) bands.add(`content=${fingerprint.contentHash}`);
  return { bands: [...bands], states: [...new Set(signature.latamStates)] };
}

/** Stories sorted newest first by createdAt (ties by id, so the order is stable). */
export function newestFirst(stories: Story[]): Story[] {
  return [...stories].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || a.id.localeCompare(b.id));
}

function record(value: unknown, what: string, required: string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`store: stored ${what} is not an object`);
  const fields = value as Record<string, unknown>;
  for (const field of required) {
    if (fields[field] === undefined) throw new Error(`store: stored ${what} has no "${field}"`);
  }
  return fields;
}

/** A stored story read back from JSON, checked for the fields everything else relies on. */
export function asStory(value: unknown): Story {
  return record(value, 'story', ['id', 'createdAt', 'updatedAt', 'articles', 'signature']) as unknown as Story;
}

/** A failed alert read back from JSON. */
export function asFailedAlert(value: unknown): FailedAlert {
  return record(value, 'failed alert', ['alertId', 'failedAt']) as unknown as FailedAlert;
}

/** Source health read back from JSON. */
export function asSourceHealth(value: unknown): SourceHealth {
  return record(value, 'source health', ['consecutiveFailures']) as unknown as SourceHealth;
}

/** A webhook's disabled state read back from JSON. */
export function asWebhookHealth(value: unknown): WebhookHealth {
  return record(value, 'webhook health', ['disabled', 'reason', 'disabledAt', 'urlHash']) as unknown as WebhookHealth;
}

/** SHA-256 (hex) of a webhook URL: what a disable remembers, since the URL itself may hold a token. */
export function webhookUrlHash(url: string): string {
  return createHash('sha256').update(url).digest('hex');
}

/** The recorded disable when it was recorded for this URL; a disable of an earlier URL no longer applies. */
export function disableFor(health: WebhookHealth | undefined, url: string): WebhookHealth | undefined {
  return health && health.urlHash === webhookUrlHash(url) ? health : undefined;
}

/** A digest cursor read back from JSON. */
export function asDigestCursor(value: unknown): DigestCursor {
  return record(value, 'digest cursor', ['since']) as unknown as DigestCursor;
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** LSH band keys as `fingerprint()` writes them: `b<index>:<8 hex>`, index counting up from 0. */
const BAND_KEY = /^b(\d+):([0-9a-f]{8})$/;

/**
 * A fingerprint as the stores keep it: the MinHash as little-endian uint32s in base64 (a third of its JSON size)
 * and, when the band keys have the standard form, only their hashes, packed the same way. Other values (tests'
 * hand-made fingerprints, a future format) are kept as they are.
 */
export interface PackedFingerprint {
  contentHash: string;
  minhash: string | number[];
  bands: string | string[];
}

/** An article record without its story id, which its story already says. */
export interface PackedArticle {
  url: string;
  publishedAt?: string;
  fingerprint: PackedFingerprint;
}

function isUint32(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff;
}

/** Little-endian uint32s in base64. A typed array on a little-endian machine is encoded from its own bytes. */
export function packUint32(values: ArrayLike<number>): string {
  if (values instanceof Uint32Array && LITTLE_ENDIAN) return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
  const bytes = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) bytes.writeUInt32LE(values[i] ?? 0, i * 4);
  return bytes.toString('base64');
}

function unpackUint32(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  const values = new Array<number>(bytes.length >>> 2);
  if (LITTLE_ENDIAN) {
    // Copied to an aligned buffer, then read as one typed array: far cheaper than a readUInt32LE per value.
    const words = new Uint32Array(values.length);
    new Uint8Array(words.buffer).set(bytes.subarray(0, values.length * 4));
    for (let i = 0; i < values.length; i++) values[i] = words[i] ?? 0;
  } else {
    for (let i = 0; i < values.length; i++) values[i] = bytes.readUInt32LE(i * 4);
  }
  return values;
}

/** The band hashes when every key is `b<i>:<hex>` in order, else undefined. */
export function bandHashes(bands: string[]): number[] | undefined {
  const hashes: number[] = [];
  for (const [i, band] of bands.entries()) {
    const match = BAND_KEY.exec(band);
    if (!match || Number(match[1]) !== i) return undefined;
    hashes.push(Number.parseInt(match[2] ?? '', 16));
  }
  return hashes;
}

/** The band key `b<i>:<hex>` of band `i` with this hash. */
export function bandKey(hash: number, i: number): string {
  return `b${i}:${hash.toString(16).padStart(8, '0')}`;
}

/** The compact stored form of a fingerprint; `unpackFingerprint` gives it back unchanged. */
export function packFingerprint(fingerprint: TextFingerprint): PackedFingerprint {
  const hashes = bandHashes(fingerprint.bands);
  return {
    contentHash: fingerprint.contentHash,
    minhash: fingerprint.minhash.every(isUint32) ? packUint32(fingerprint.minhash) : fingerprint.minhash,
    bands: hashes && hashes.length > 0 ? packUint32(hashes) : fingerprint.bands,
  };
}

/** A stored fingerprint, packed or in the older all-JSON form. */
export function unpackFingerprint(value: unknown): TextFingerprint {
  const fields = record(value, 'fingerprint', ['minhash', 'bands']);
  const { minhash, bands } = fields;
  const fingerprint: TextFingerprint = {
    contentHash: typeof fields.contentHash === 'string' ? fields.contentHash : '',
    minhash: typeof minhash === 'string' ? unpackUint32(minhash) : Array.isArray(minhash) ? minhash.filter((v): v is number => typeof v === 'number') : [],
    bands: Array.isArray(bands) ? bands.filter((v): v is string => typeof v === 'string') : [],
  };
  if (typeof bands === 'string') lazyBands(fingerprint, () => unpackUint32(bands));
  return fingerprint;
}

/**
 * Makes `fingerprint.bands` spell out its keys on first read only: matching compares MinHashes and looks at a
 * stored article's bands rarely, while spelling out 25 keys for each of hundreds of candidates costs milliseconds.
 */
export function lazyBands(fingerprint: TextFingerprint, hashes: () => ArrayLike<number>): void {
  let keys: string[] | undefined;
  Object.defineProperty(fingerprint, 'bands', { enumerable: true, configurable: true, get: () => (keys ??= Array.from(hashes(), bandKey)) });
}

/** The stored form of an article: packed fingerprint, no story id. */
export function packArticle(article: StoredArticle): PackedArticle {
  const packed: PackedArticle = { url: article.url, fingerprint: packFingerprint(article.fingerprint) };
  if (article.publishedAt !== undefined) packed.publishedAt = article.publishedAt;
  return packed;
}

/** A stored article of story `storyId`, read back from its packed form or the older form that held everything. */
export function unpackArticle(value: unknown, storyId: string): StoredArticle {
  const fields = record(value, 'article', ['url', 'fingerprint']);
  const article: StoredArticle = { storyId, url: String(fields.url), fingerprint: unpackFingerprint(fields.fingerprint) };
  if (typeof fields.publishedAt === 'string') article.publishedAt = fields.publishedAt;
  return article;
}
