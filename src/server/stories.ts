import { SOURCE_KINDS, type SourceConfig } from '../config/schema.js';
import type { SourceHealth, Store } from '../store/store.js';
import type { Story, StoryArticle } from '../stories/types.js';
import { fold } from './text.js';

/**
 * The Store port lists stories newest first with only a `since` bound, so filters and cursors are applied
 * here, over at most this many of the newest stories (after `since`). Older stories are reachable with `since`.
 */
export const STORY_WINDOW = 1000;
/** Page size of `/api/stories` when `limit` is not given, and its ceiling. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** The filters and page of a story listing, parsed from a query string. */
export interface StoryQuery {
  limit: number;
  /** Return stories strictly after this position in newest-first order. */
  after?: { createdAt: number; id: string };
  since?: string;
  country?: string;
  actor?: string;
  q?: string;
}

/** A query parameter that could not be used; the server answers 400 with the message. */
export class QueryError extends Error {}

/** Reads `limit`, `cursor`, `since`, `country`, `actor` and `q` from a parsed query string. */
export function parseStoryQuery(query: Record<string, unknown>, defaults: { limit: number } = { limit: DEFAULT_PAGE_SIZE }): StoryQuery {
  const limitText = single(query, 'limit');
  const limit = limitText === undefined ? defaults.limit : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new QueryError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  const sinceText = single(query, 'since');
  let since: string | undefined;
  if (sinceText !== undefined) {
    const at = Date.parse(sinceText);
    if (!/^\d{4}-\d{2}-\d{2}/.test(sinceText) || Number.isNaN(at)) throw new QueryError('since must be an ISO date such as 2023-06-01 or 2023-06-01T12:00:00Z');
    since = new Date(at).toISOString();
  }
  const cursor = single(query, 'cursor');
  return {
    limit,
    after: cursor === undefined ? undefined : decodeCursor(cursor),
    since,
    country: single(query, 'country'),
    actor: single(query, 'actor'),
    q: single(query, 'q'),
  };
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new QueryError(`${name} must be given once`);
  return value;
}

/** The opaque cursor: base64url of `[createdAt, id]` of the last story of a page. */
export function encodeCursor(story: Pick<Story, 'createdAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([story.createdAt, story.id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string') {
      const createdAt = Date.parse(value[0]);
      if (!Number.isNaN(createdAt)) return { createdAt, id: value[1] };
    }
  } catch {
    // Falls through to the error below: a cursor that does not decode is as bad as one that is not ours.
  }
  throw new QueryError('cursor is not one this server gave out');
}

/** True when `story` satisfies the query's filters (`country` exact, `actor` and `q` substrings; all folded). */
export function storyMatches(story: Story, query: StoryQuery): boolean {
  if (query.country !== undefined) {
    const country = fold(query.country).trim();
    if (!story.signature.latamStates.some((state) => fold(state) === country)) return false;
  }
  if (query.actor !== undefined) {
    const actor = fold(query.actor).trim();
    if (!story.signature.iranActors.some((name) => fold(name).includes(actor))) return false;
  }
  if (query.q !== undefined) {
    const q = fold(query.q).trim();
    if (![story.title, ...story.reasons].some((text) => fold(text).includes(q))) return false;
  }
  return true;
}

/** Whether `story` comes after the cursor position in the store's order (createdAt descending, then id ascending). */
function isAfter(story: Story, after: { createdAt: number; id: string }): boolean {
  const at = Date.parse(story.createdAt);
  return at < after.createdAt || (at === after.createdAt && story.id > after.id);
}

/** One page of stories and the cursor of the next page (null on the last). */
export interface StoryPage {
  stories: Story[];
  next: string | null;
  /** True when the window of newest stories was full, so older matches may exist beyond it. */
  windowFull: boolean;
}

/** Reads the window of newest stories from the store and cuts the page the query asks for. */
export async function listStoryPage(store: Store, query: StoryQuery): Promise<StoryPage> {
  const window = await store.listStories({ since: query.since, limit: STORY_WINDOW });
  const after = query.after;
  const remaining = window.filter((story) => storyMatches(story, query) && (after === undefined || isAfter(story, after)));
  const stories = remaining.slice(0, query.limit);
  const last = stories[stories.length - 1];
  return {
    stories,
    next: remaining.length > query.limit && last ? encodeCursor(last) : null,
    windowFull: window.length >= STORY_WINDOW,
  };
}

/** The outlets of a story's articles, first reporter first, without repeats. */
export function storyOutlets(story: Story): string[] {
  return [...new Set([story.outlet, ...story.articles.map((article) => article.outlet)])];
}

/** A story in API listings: everything but the article list, which `/api/stories/:id` gives. */
export function storySummary(story: Story) {
  return {
    id: story.id,
    title: story.title,
    url: story.url,
    outlet: story.outlet,
    outlets: storyOutlets(story),
    publishedAt: story.publishedAt ?? null,
    createdAt: story.createdAt,
    updatedAt: story.updatedAt,
    score: story.score,
    countries: story.signature.latamStates,
    actors: story.signature.iranActors,
    eventType: story.signature.eventType ?? null,
    place: story.signature.place ?? null,
    date: story.signature.date ?? null,
    reasons: story.reasons,
    articleCount: story.articles.length,
  };
}

/** A story with its articles and why each joined. */
export function storyDetail(story: Story) {
  return {
    ...storySummary(story),
    signature: story.signature,
    articles: story.articles.map((article: StoryArticle) => ({
      url: article.url,
      canonicalUrl: article.canonicalUrl,
      title: article.title,
      outlet: article.outlet,
      publishedAt: article.publishedAt ?? null,
      addedAt: article.addedAt,
      joinReason: article.joinReason,
    })),
  };
}

/** How a source is doing, in one word. */
export type SourceStatus = 'ok' | 'failing' | 'never polled' | 'disabled';

/** A configured source and its health. */
export interface SourceView {
  id: string;
  name: string;
  url: string;
  kind: (typeof SOURCE_KINDS)[number];
  enabled: boolean;
  schedule: string;
  status: SourceStatus;
  health: SourceHealth | null;
}

/** Every configured source with its health from the store. */
export async function listSources(sources: readonly SourceConfig[], store: Store): Promise<SourceView[]> {
  const records = await Promise.all(sources.map((source) => store.getSourceHealth(source.id)));
  return sources.map((source, index) => {
    const health = records[index] ?? null;
    // The schema guarantees exactly one kind per source.
    const kind = SOURCE_KINDS.find((key) => source[key] !== undefined) ?? 'feed';
    return {
      id: source.id,
      name: source.name,
      url: source[kind] ?? '',
      kind,
      enabled: source.enabled,
      schedule: source.schedule,
      status: sourceStatus(source.enabled, health),
      health,
    };
  });
}

function sourceStatus(enabled: boolean, health: SourceHealth | null): SourceStatus {
  if (!enabled) return 'disabled';
  if (!health || health.lastAttemptAt === undefined) return 'never polled';
  return health.consecutiveFailures > 0 ? 'failing' : 'ok';
}
