import type { EventSignature } from '../detect/types.js';

/** Fingerprint of an article's cleaned text, used to find near-duplicates without a pairwise scan. */
export interface TextFingerprint {
  /** Hash of the normalized text (hex); equal for texts that differ only in case, spacing and punctuation. */
  contentHash: string;
  /** MinHash signature of word shingles. */
  minhash: number[];
  /** LSH band keys derived from `minhash`; texts sharing one band key are candidates. */
  bands: string[];
}

/** One article as a member of a story. */
export interface StoryArticle {
  url: string;
  canonicalUrl: string;
  title: string;
  outlet: string;
  publishedAt?: string;
  /** When this article was assigned (ISO). */
  addedAt: string;
  /** Why it is in the story: `first report`, `text similarity 0.91 with …`, `same event: …`. */
  joinReason: string;
}

/** A story: one real-world event, reported by one or more articles. */
export interface Story {
  /** Stable id: derived from the first article's normalized URL. */
  id: string;
  title: string;
  url: string;
  outlet: string;
  publishedAt?: string;
  score: number;
  /** Human-readable matched spans from the detector. */
  reasons: string[];
  signature: EventSignature;
  articles: StoryArticle[];
  createdAt: string;
  updatedAt: string;
}

/** What the store keeps per article for later matching. */
export interface StoredArticle {
  storyId: string;
  url: string;
  publishedAt?: string;
  fingerprint: TextFingerprint;
}

/** A story that might be the one a new article belongs to, with the fingerprints of its articles. */
export interface StoryCandidate {
  story: Story;
  articles: StoredArticle[];
}

/** The article being assigned, as the story matcher sees it. */
export interface ArticleForStory {
  url: string;
  canonicalUrl: string;
  title: string;
  outlet: string;
  publishedAt?: string;
  score: number;
  reasons: string[];
  signature: EventSignature;
  fingerprint: TextFingerprint;
}

/** The outcome of assigning an article to a story. */
export type Assignment =
  | { kind: 'created'; story: Story; reason: string }
  | { kind: 'updated'; story: Story; reason: string }
  /** Already part of the story (same URL or same text): nothing to alert. */
  | { kind: 'duplicate'; story: Story; reason: string };

/** Options of the story matcher. */
export interface StoryOptions {
  /** An article joins a story only if published within this many days of it. @defaultValue 7 */
  windowDays: number;
  /** MinHash Jaccard estimate at or above which two texts are near-duplicates. @defaultValue 0.7 */
  similarityThreshold: number;
}
