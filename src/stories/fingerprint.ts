import { createHash } from 'node:crypto';
import type { TextFingerprint } from './types.js';

/**
 * Text fingerprints for near-duplicate detection: MinHash over word 5-shingles, and LSH band keys so a store
 * can find candidates by key lookup instead of comparing against every article.
 *
 * Band math: with b bands of r rows, two texts of Jaccard similarity s share at least one band key with
 * probability 1 - (1 - s^r)^b. We use b = 25, r = 5 (125 of the 128 MinHash values):
 *   s = 0.3 → 0.06,  s = 0.5 → 0.55,  s = 0.7 → 0.99,  s = 0.9 → 1 - 2e-10.
 * The S-curve's midpoint (1/b)^(1/r) ≈ 0.53 sits below the 0.7 similarity threshold, so wire copies with edits
 * are found almost always, while unrelated texts on the same topic (s ≲ 0.3) rarely become candidates.
 * 32 × 4 would find s = 0.7 slightly more often but makes 23% of s = 0.3 pairs candidates.
 */

/** Number of MinHash values per fingerprint. */
export const MINHASH_SIZE = 128;
/** Number of LSH bands. */
export const BAND_COUNT = 25;
/** MinHash values per LSH band. */
export const BAND_ROWS = 5;
/** Words per shingle. */
export const SHINGLE_WORDS = 5;

const EMPTY_SLOT = 0xffffffff;

/** Murmur3's 32-bit finalizer: a bijection on 32-bit integers with good avalanche, so `mix(x ^ seed)` permutes. */
function mix(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit FNV-1a over UTF-16 code units. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** One seed per MinHash function, derived deterministically so fingerprints stay comparable across processes. */
const SEEDS: Uint32Array = (() => {
  const seeds = new Uint32Array(MINHASH_SIZE);
  let state = 0x9e3779b9;
  for (let i = 0; i < MINHASH_SIZE; i++) {
    state = (state + 0x9e3779b9) >>> 0;
    seeds[i] = mix(state);
  }
  return seeds;
})();

/** Lower case, accents stripped, punctuation dropped, whitespace collapsed: `"Canciller iraní, en Caracas!"` → `canciller irani en caracas`. */
export function normalizeForFingerprint(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Hashes of the word shingles; a text shorter than one shingle gives one shingle of all its words. */
function shingleHashes(words: string[]): Uint32Array {
  const wordHashes = words.map(fnv1a);
  const count = words.length === 0 ? 0 : Math.max(1, words.length - SHINGLE_WORDS + 1);
  const hashes = new Uint32Array(count);
  for (let start = 0; start < count; start++) {
    let h = 0x1b873593;
    const end = Math.min(start + SHINGLE_WORDS, wordHashes.length);
    for (let i = start; i < end; i++) h = mix(h ^ (wordHashes[i] ?? 0));
    hashes[start] = mix(h);
  }
  return hashes;
}

function minhashOf(shingles: Uint32Array): number[] {
  const slots = new Uint32Array(MINHASH_SIZE).fill(EMPTY_SLOT);
  for (const shingle of shingles) {
    for (let k = 0; k < MINHASH_SIZE; k++) {
      const h = mix(shingle ^ (SEEDS[k] ?? 0));
      if (h < (slots[k] ?? EMPTY_SLOT)) slots[k] = h;
    }
  }
  return Array.from(slots);
}

function bandKeys(minhash: number[]): string[] {
  const keys: string[] = [];
  for (let band = 0; band < BAND_COUNT; band++) {
    let h = mix(band + 1);
    for (let row = 0; row < BAND_ROWS; row++) h = mix(h ^ (minhash[band * BAND_ROWS + row] ?? 0));
    keys.push(`b${band}:${h.toString(16).padStart(8, '0')}`);
  }
  return keys;
}

/**
 * The fingerprint of an article's text: a content hash of the normalized text, a MinHash signature of its word
 * 5-shingles, and its LSH band keys. An empty text gets no band keys and is similar to nothing.
 */
export function fingerprint(text: string): TextFingerprint {
  const normalized = normalizeForFingerprint(text);
  const words = normalized === '' ? [] : normalized.split(' ');
  const minhash = minhashOf(shingleHashes(words));
  return {
    contentHash: createHash('sha256').update(normalized).digest('hex'),
    minhash,
    bands: words.length === 0 ? [] : bandKeys(minhash),
  };
}

/** Estimated Jaccard similarity (0..1) of the two texts' shingle sets: the share of equal MinHash values. */
export function similarity(a: TextFingerprint, b: TextFingerprint): number {
  if (a.minhash.length !== b.minhash.length || a.minhash.length === 0) return 0;
  let equal = 0;
  let empty = true;
  for (let i = 0; i < a.minhash.length; i++) {
    const value = a.minhash[i];
    if (value !== EMPTY_SLOT) empty = false;
    if (value === b.minhash[i]) equal++;
  }
  return empty ? 0 : equal / a.minhash.length;
}
