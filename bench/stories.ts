/**
 * Story-core throughput: fingerprints per second for 5 KB texts, similarity comparisons per second, and the time
 * of one assignStory call against 10, 100 and 1000 candidate stories. Run with `npx tsx bench/stories.ts`.
 */
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { EventSignature } from '../src/detect/types.js';
import { assignStory } from '../src/stories/assign.js';
import { fingerprint, similarity } from '../src/stories/fingerprint.js';
import type { ArticleForStory, StoryCandidate, TextFingerprint } from '../src/stories/types.js';
import { readLabelledArticles } from './eval-stories.js';

const fixtures = readLabelledArticles(fileURLToPath(new URL('../test/fixtures/stories/articles.jsonl', import.meta.url)));
const corpus = fixtures.map((a) => a.text).join(' ').split(/\s+/);

/** A deterministic ~5 KB text: fixture words from a rotating offset, so every text differs. */
function text5k(index: number): string {
  const words: string[] = [];
  let length = 0;
  for (let i = 0; length < 5000; i++) {
    const word = corpus[(index * 97 + i * (1 + (index % 5))) % corpus.length] ?? 'iran';
    words.push(word);
    length += word.length + 1;
  }
  return words.join(' ');
}

function timeIt(run: () => void, minMs = 500): { perSecond: number; meanMs: number } {
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    run();
    count++;
    elapsed = performance.now() - start;
  }
  return { perSecond: (count / elapsed) * 1000, meanMs: elapsed / count };
}

const STATES = ['Venezuela', 'Cuba', 'Nicaragua', 'Bolivia', 'Brazil', 'Argentina', 'Mexico', 'Colombia'];
const ACTORS = ['Ebrahim Raisi', 'Hossein Amir-Abdollahian', 'Abbas Araghchi', 'Javad Owji', 'Mohsen Rezaei'];

const texts = Array.from({ length: 200 }, (_, i) => text5k(i));
const prints: TextFingerprint[] = texts.map((t) => fingerprint(t));

let next = 0;
const fp = timeIt(() => {
  fingerprint(texts[next++ % texts.length] ?? '');
});
console.log(`fingerprint (5 KB text): ${fp.perSecond.toFixed(0)} articles/s (${(fp.meanMs * 1000).toFixed(0)} µs each)`);

let pair = 0;
const sim = timeIt(() => {
  for (let i = 0; i < 1000; i++) similarity(prints[pair++ % prints.length] as TextFingerprint, prints[(pair * 7) % prints.length] as TextFingerprint);
});
console.log(`similarity: ${(sim.perSecond * 1000).toFixed(0)} comparisons/s`);

function candidates(count: number): StoryCandidate[] {
  return Array.from({ length: count }, (_, i) => {
    const signature: EventSignature = { iranActors: [ACTORS[i % ACTORS.length] ?? ''], latamStates: [STATES[i % STATES.length] ?? ''], eventType: 'visit', place: `City ${i}` };
    const first: ArticleForStory = {
      url: `https://outlet${i % 50}.example/story/${i}`,
      canonicalUrl: `https://outlet${i % 50}.example/story/${i}`,
      title: `Story ${i}`,
      outlet: `Outlet ${i % 50}`,
      publishedAt: new Date(Date.UTC(2023, 5, 1) + (i % 7) * 86_400_000).toISOString(),
      score: 0.8,
      reasons: [],
      signature,
      fingerprint: prints[i % prints.length] as TextFingerprint,
    };
    const { story } = assignStory(first, [], { windowDays: 7, similarityThreshold: 0.7 }, first.publishedAt ?? '2023-06-01T00:00:00Z');
    const articles = [0, 1, 2].map((k) => ({ storyId: story.id, url: `${first.url}/${k}`, publishedAt: first.publishedAt, fingerprint: prints[(i + k * 13) % prints.length] as TextFingerprint }));
    return { story, articles };
  });
}

const incoming: ArticleForStory = {
  url: 'https://new.example/raisi-lima',
  canonicalUrl: 'https://new.example/raisi-lima',
  title: 'Incoming',
  outlet: 'New',
  publishedAt: '2023-06-05T12:00:00Z',
  score: 0.9,
  reasons: [],
  signature: { iranActors: ['Ebrahim Raisi'], latamStates: ['Peru'], eventType: 'visit', place: 'Lima' },
  fingerprint: fingerprint(text5k(9999)),
};
for (const count of [10, 100, 1000]) {
  const pool = candidates(count);
  const assign = timeIt(() => {
    assignStory(incoming, pool, { windowDays: 7, similarityThreshold: 0.7 }, '2023-06-05T12:00:00Z');
  });
  console.log(`assignStory with ${String(count).padStart(4)} candidates (3 articles each): ${assign.meanMs.toFixed(3)} ms`);
}
