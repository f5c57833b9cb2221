import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readLabelledArticles } from '../../bench/eval-stories.js';
import { BAND_COUNT, MINHASH_SIZE, fingerprint, normalizeForFingerprint, similarity } from '../../src/stories/fingerprint.js';

const articles = readLabelledArticles(fileURLToPath(new URL('../fixtures/stories/articles.jsonl', import.meta.url)));
const textOf = (id: string): string => {
  const found = articles.find((a) => a.id === id);
  if (!found) throw new Error(`no fixture ${id}`);
  return found.text;
};

/** Deterministic pseudo-random words (xorshift), so LSH rates are the same on every run. */
function wordStream(seed: number): () => string {
  let state = seed >>> 0 || 1;
  const syllables = ['ca', 'ra', 'te', 'he', 'ma', 'na', 'gua', 'ha', 'va', 'bo', 'li', 'vi', 'ir', 'an', 'de', 'sol', 'mi', 'nis', 'tro', 'pac'];
  return () => {
    let word = '';
    for (let i = 0; i < 3; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      word += syllables[(state >>> 0) % syllables.length];
    }
    return word;
  };
}

function shingles(text: string): Set<string> {
  const words = normalizeForFingerprint(text).split(' ');
  const set = new Set<string>();
  for (let i = 0; i + 5 <= words.length; i++) set.add(words.slice(i, i + 5).join(' '));
  return set;
}

function jaccard(a: string, b: string): number {
  const x = shingles(a);
  const y = shingles(b);
  let both = 0;
  for (const s of x) if (y.has(s)) both++;
  return both / (x.size + y.size - both);
}

const shareBand = (a: string[], b: string[]): boolean => a.some((key) => b.includes(key));

describe('normalizeForFingerprint', () => {
  it('lower-cases, strips accents and punctuation, collapses spaces', () => {
    expect(normalizeForFingerprint('  Canciller IRANÍ — en  Caracas; “Díaz-Canel” recibió a Raisi!\n\n')).toBe('canciller irani en caracas diaz canel recibio a raisi');
  });

  it('keeps digits and non-Latin letters', () => {
    expect(normalizeForFingerprint('20-year plan, 2022 — وزير الخارجية')).toBe('20 year plan 2022 وزير الخارجية');
  });
});

describe('fingerprint', () => {
  it('has 128 MinHash values, one key per band and a sha256 content hash of the normalized text', () => {
    const print = fingerprint(textOf('e01-a'));
    expect(print.minhash).toHaveLength(MINHASH_SIZE);
    expect(print.bands).toHaveLength(BAND_COUNT);
    expect(print.bands[0]).toMatch(/^b0:[0-9a-f]{8}$/);
    expect(print.bands.at(-1)).toMatch(new RegExp(`^b${BAND_COUNT - 1}:[0-9a-f]{8}$`));
    expect(print.contentHash).toBe(createHash('sha256').update(normalizeForFingerprint(textOf('e01-a'))).digest('hex'));
  });

  it('is deterministic', () => {
    expect(fingerprint(textOf('e02-a'))).toEqual(fingerprint(textOf('e02-a')));
  });

  it('gives the same content hash to texts that differ only in case, spacing and punctuation', () => {
    const a = fingerprint('Raisi arrives in Caracas, meets Maduro.');
    const b = fingerprint('RAISI arrives in   caracas -- meets MADURO');
    expect(a.contentHash).toBe(b.contentHash);
    expect(similarity(a, b)).toBe(1);
  });

  it('rates wire copies with edits (other headline, edited sentence, trimmed last paragraph) as near-duplicates', () => {
    const original = fingerprint(textOf('e01-a'));
    expect(similarity(original, fingerprint(textOf('e01-b')))).toBeGreaterThanOrEqual(0.75);
    expect(similarity(original, fingerprint(textOf('e01-c')))).toBeGreaterThanOrEqual(0.75);
  });

  it('estimates Jaccard similarity closely', () => {
    for (const [a, b] of [['e01-a', 'e01-b'], ['e01-a', 'e01-c'], ['e01-b', 'e01-c']] as const) {
      const estimate = similarity(fingerprint(textOf(a)), fingerprint(textOf(b)));
      expect(Math.abs(estimate - jaccard(textOf(a), textOf(b)))).toBeLessThan(0.1);
    }
  });

  it('rates different stories on the same topic as dissimilar', () => {
    const pairs = [['e01-a', 'e01-d'], ['e01-a', 'e02-a'], ['e02-a', 'e03-a'], ['e04-a', 'e04-b'], ['e06-a', 'e07-a'], ['e12-a', 'e13-a']] as const;
    for (const [a, b] of pairs) expect(similarity(fingerprint(textOf(a)), fingerprint(textOf(b)))).toBeLessThan(0.1);
  });

  it('handles texts shorter than one shingle', () => {
    const short = fingerprint('Raisi in Havana');
    expect(short.bands).toHaveLength(BAND_COUNT);
    expect(similarity(short, fingerprint('raisi, in HAVANA!'))).toBe(1);
    expect(similarity(short, fingerprint('Raisi in Managua'))).toBeLessThan(0.1);
  });

  it('gives an empty text no band keys and no similarity, even to another empty text', () => {
    const empty = fingerprint('  — ');
    expect(empty.bands).toEqual([]);
    expect(similarity(empty, fingerprint(''))).toBe(0);
    expect(similarity(empty, fingerprint(textOf('e01-a')))).toBe(0);
  });

  it('returns 0 for fingerprints of different sizes', () => {
    const print = fingerprint(textOf('e01-a'));
    expect(similarity(print, { ...print, minhash: print.minhash.slice(0, 64) })).toBe(0);
  });
});

describe('LSH bands', () => {
  it('put wire copies in a shared band and keep the other fixture articles apart', () => {
    const prints = new Map(articles.map((a) => [a.id, fingerprint(a.text)]));
    // One wire text on several sites, with small edits.
    const wireCopies = [['e01-a', 'e01-b'], ['e01-a', 'e01-c'], ['e01-b', 'e01-c'], ['e16-a', 'e16-b'], ['e20-a', 'e20-b'], ['e30-a', 'e30-b']] as const;
    for (const [a, b] of wireCopies) {
      expect(shareBand(prints.get(a)?.bands ?? [], prints.get(b)?.bands ?? []), `${a} ~ ${b}`).toBe(true);
    }
    const wire = new Set(wireCopies.map(([a, b]) => `${a} ${b}`));
    let sharing = 0;
    let pairs = 0;
    for (const x of articles) {
      for (const y of articles) {
        if (x.id >= y.id || x.text === y.text || x.event === 'raisi-caracas-2023-06' || wire.has(`${x.id} ${y.id}`)) continue;
        pairs++;
        if (shareBand(prints.get(x.id)?.bands ?? [], prints.get(y.id)?.bands ?? [])) sharing++;
      }
    }
    expect(pairs).toBeGreaterThan(150);
    expect(sharing).toBe(0);
  });

  it('find pairs at Jaccard >= 0.7 almost always and pairs below 0.3 rarely', () => {
    const next = wordStream(20230612);
    let high = 0;
    let highFound = 0;
    let low = 0;
    let lowFound = 0;
    for (let trial = 0; trial < 200; trial++) {
      const base = Array.from({ length: 300 }, next);
      const edited = [...base];
      // Replacing every k-th word breaks the shingles around it; k sets the Jaccard similarity.
      const step = trial % 2 === 0 ? 30 + (trial % 7) * 5 : trial % 4 === 1 ? 8 : 9;
      for (let i = step; i < edited.length; i += step) edited[i] = next();
      const a = base.join(' ');
      const b = edited.join(' ');
      const s = jaccard(a, b);
      const found = shareBand(fingerprint(a).bands, fingerprint(b).bands);
      if (s >= 0.7) {
        high++;
        if (found) highFound++;
      } else if (s < 0.3) {
        low++;
        if (found) lowFound++;
      }
    }
    // The low pairs sit at 0.2-0.3, just under the bucket edge: the hardest case for "rarely".
    expect(high).toBeGreaterThan(50);
    expect(low).toBeGreaterThan(50);
    expect(highFound / high).toBeGreaterThanOrEqual(0.95);
    expect(lowFound / low).toBeLessThanOrEqual(0.1);
  });
});
