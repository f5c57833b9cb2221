import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventSignature } from '../../src/detect/types.js';
import { createFileStore } from '../../src/store/file-store.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import type { Store } from '../../src/store/store.js';
import type { Story, StoredArticle, TextFingerprint } from '../../src/stories/types.js';
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from '../helpers/redis.js';

/** A store under test and how to dispose of it. */
export interface StoreUnderTest {
  store: Store;
  dispose(): Promise<void>;
}

/** One factory per Store implementation; the contract suite runs over both. */
export const storeFactories: Array<{ kind: string; make: () => Promise<StoreUnderTest> }> = [
  {
    kind: 'redis',
    make: async () => {
      const prefix = uniquePrefix('store');
      const store = await createRedisStore({ url: TEST_REDIS_URL, prefix, retentionDays: 30 });
      return {
        store,
        dispose: async () => {
          await store.close();
          await deletePrefix(prefix);
        },
      };
    },
  },
  {
    kind: 'file',
    make: async () => {
      const dir = await tempDir();
      const store = await createFileStore({ dir, retentionDays: 30 });
      return {
        store,
        dispose: async () => {
          await store.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

/** A fresh empty folder under the OS temp dir. */
export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'diplowatch-store-'));
}

/** A fingerprint whose LSH bands are the given keys. */
export function fingerprint(contentHash: string, bands: string[]): TextFingerprint {
  return { contentHash, minhash: [17, 4242, 90001, 12], bands };
}

/** The signature of a report on one leg of Raisi's June 2023 tour. */
export function signature(latamStates: string[], place?: string, date?: string): EventSignature {
  return { iranActors: ['Ebrahim Raisi'], latamStates, eventType: 'visit', place, date };
}

/** A one-article story, created and updated at `at`. */
export function story(id: string, options: { title: string; at: string; states: string[]; outlet?: string; url?: string }): Story {
  const url = options.url ?? `https://outlet.example/${id}`;
  const outlet = options.outlet ?? 'Caribbean Wire';
  return {
    id,
    title: options.title,
    url,
    outlet,
    publishedAt: options.at,
    score: 0.82,
    reasons: ['pair+cue: "Raisi arrived in Caracas"'],
    signature: signature(options.states),
    articles: [{ url, canonicalUrl: url, title: options.title, outlet, publishedAt: options.at, addedAt: options.at, joinReason: 'first report' }],
    createdAt: options.at,
    updatedAt: options.at,
  };
}

/** The stored form of one of a story's articles. */
export function storedArticle(storyId: string, url: string, fp: TextFingerprint, publishedAt?: string): StoredArticle {
  return { storyId, url, publishedAt, fingerprint: fp };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
