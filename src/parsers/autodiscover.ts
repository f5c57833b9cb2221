import { parseListing } from './listing.js';
import { findTagEnd, parseAttributes } from './html-tags.js';
import { collapseWhitespace, htmlToText, resolveHttpUrl } from './xml.js';

/** The feed formats a page can announce with `<link rel="alternate">`. */
export type FeedLinkType = 'rss' | 'atom' | 'json' | 'rdf';

/** A feed announced by an HTML page. */
export interface FeedLink {
  /** Absolute http(s) URL of the feed. */
  url: string;
  type: FeedLinkType;
  title?: string;
}

/** What the `<head>` of a page says about the site, for naming a new source. */
export interface PageInfo {
  /** `og:site_name`, else the `<title>` text. */
  title?: string;
  /** The two-letter primary language of `<html lang>`, when given. */
  language?: string;
}

/** A guessed `articlePattern` for a listing page, with the links it matches. */
export interface PatternGuess {
  pattern: string;
  /** Article links on the page that the pattern matches, in page order. */
  matches: string[];
}

const FEED_MEDIA_TYPES: Record<string, FeedLinkType> = {
  'application/rss+xml': 'rss',
  'application/atom+xml': 'atom',
  'application/feed+json': 'json',
  'application/json': 'json',
  'application/rdf+xml': 'rdf',
};

/** Tags the head scan reads; everything else is stepped over. */
const WANTED_TAGS = new Set(['link', 'base', 'meta', 'html']);
const TAG_NAME = /[a-zA-Z][a-zA-Z0-9-]*/y;
/** Elements whose content is not markup: a `<link>` written inside them is not one. */
const RAW_TEXT_ELEMENTS = new Set(['script', 'style', 'template', 'textarea', 'noscript', 'title', 'xmp']);

/** Links a page announces are few; this only bounds hostile input. */
const MAX_FEED_LINKS = 50;

/**
 * The feeds an HTML page announces: `<link rel="alternate">` with an RSS, Atom, JSON Feed or RDF media type,
 * and `<link rel="feed">` (typed by its media type, else taken as RSS). URLs are resolved against `<base href>`
 * and `baseUrl`, kept only when http(s), and listed once each in page order.
 */
export function findFeedLinks(html: string, baseUrl: string): FeedLink[] {
  const tags = headTags(html);
  const base = resolveHttpUrl(tags.find((tag) => tag.name === 'base')?.attributes.get('href'), baseUrl) ?? baseUrl;
  const found = new Map<string, FeedLink>();
  for (const { name, attributes } of tags) {
    if (name !== 'link' || found.size >= MAX_FEED_LINKS) continue;
    const rel = (attributes.get('rel') ?? '').toLowerCase().split(/\s+/);
    const mediaType = (attributes.get('type') ?? '').toLowerCase().split(';')[0]?.trim() ?? '';
    const typed = FEED_MEDIA_TYPES[mediaType];
    // rel="alternate" also marks translations and AMP pages; only a feed media type makes it a feed.
    const type = rel.includes('alternate') ? typed : rel.includes('feed') ? (typed ?? 'rss') : undefined;
    if (!type) continue;
    const url = resolveHttpUrl(attributes.get('href'), base)?.replace(/#.*$/, '');
    if (!url || found.has(url)) continue;
    const title = collapseWhitespace(attributes.get('title') ?? '');
    found.set(url, title ? { url, type, title } : { url, type });
  }
  return [...found.values()];
}

/** The site's name and language as the page's head gives them. */
export function readPageInfo(html: string): PageInfo {
  const info: PageInfo = {};
  const tags = headTags(html);
  const siteName = tags.find((tag) => tag.name === 'meta' && tag.attributes.get('property') === 'og:site_name')?.attributes.get('content');
  const titleElement = firstTitle(html);
  const title = collapseWhitespace(siteName ?? (titleElement === undefined ? '' : htmlToText(titleElement)));
  if (title) info.title = title;
  const lang = tags.find((tag) => tag.name === 'html')?.attributes.get('lang');
  const primary = /^([a-z]{2})(?:[-_]|$)/i.exec(lang ?? '')?.[1];
  if (primary) info.language = primary.toLowerCase();
  return info;
}

/** The content of the first `<title>` element (searched once: a regex retried at every `<title` is quadratic). */
function firstTitle(html: string): string | undefined {
  const open = /<title[\s>]/i.exec(html);
  const start = open ? html.indexOf('>', open.index) + 1 : 0;
  if (start === 0) return undefined;
  const close = /<\/title/gi;
  close.lastIndex = start;
  const end = close.exec(html);
  return end ? html.slice(start, end.index) : undefined;
}

/** Fewest article-like links that make a pattern worth proposing. */
const MIN_PATTERN_MATCHES = 3;

type Segment = { kind: 'literal'; text: string } | { kind: 'year' | 'number' | 'compact-date' | 'slug' };

/**
 * Guesses an `articlePattern` for a section page: the commonest URL shape, among same-site links, that carries
 * a date (`/2023/06/12/`, `20230612`) or a long slug (three or more words joined by `-` or `_`). Section and
 * tag links rarely have either. Undefined when fewer than three links share such a shape. It is a guess: show
 * it to a person before polling with it.
 */
export function guessArticlePattern(html: string, baseUrl: string): PatternGuess | undefined {
  const page = new URL(baseUrl);
  const host = page.hostname.replace(/^www\./, '');
  const groups = new Map<string, { segments: Segment[]; origin: string; urls: string[] }>();
  for (const { url } of parseListing(html, baseUrl, /^https?:\/\//)) {
    const link = new URL(url);
    if (link.hostname.replace(/^www\./, '') !== host || link.search !== '') continue;
    const segments = link.pathname.split('/').filter(Boolean).map(classifySegment);
    if (!segments.some((segment) => segment.kind !== 'literal' && segment.kind !== 'number')) continue;
    const key = `${link.origin} ${segments.map((segment) => (segment.kind === 'literal' ? `=${segment.text}` : segment.kind)).join('/')}`;
    const group = groups.get(key) ?? { segments, origin: link.origin, urls: [] };
    group.urls.push(url);
    groups.set(key, group);
  }
  let best: { segments: Segment[]; origin: string; urls: string[] } | undefined;
  // Map order is first-seen order, so a tie goes to the shape that appears first on the page.
  for (const group of groups.values()) if (!best || group.urls.length > best.urls.length) best = group;
  if (!best || best.urls.length < MIN_PATTERN_MATCHES) return undefined;
  const path = best.segments.map(segmentPattern).join('/');
  const pattern = `^${escapeRegExp(best.origin)}/${path}/?$`;
  const matcher = new RegExp(pattern);
  return { pattern, matches: parseListing(html, baseUrl, matcher).map((ref) => ref.url) };
}

function classifySegment(raw: string): Segment {
  let text: string;
  try {
    text = decodeURIComponent(raw);
  } catch {
    text = raw;
  }
  if (/^(?:19|20)\d{2}$/.test(text)) return { kind: 'year' };
  if (/^(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$/.test(text)) return { kind: 'compact-date' };
  if (/^\d{1,12}$/.test(text)) return { kind: 'number' };
  // A headline slug: three or more words, maybe with a date or id and an extension (`...-20220611-0012.html`).
  if (/^[\p{L}\p{N}]+(?:[-_][\p{L}\p{N}]+){2,}(?:\.[a-z]{2,5})?$/u.test(text)) return { kind: 'slug' };
  return { kind: 'literal', text: raw };
}

function segmentPattern(segment: Segment): string {
  switch (segment.kind) {
    case 'year':
      return '\\d{4}';
    case 'compact-date':
      return '\\d{8}';
    case 'number':
      return '\\d+';
    case 'slug':
      // Three or more words, as classified: one-word section names (`/news/world`) stay out. Separators are
      // excluded from the word class so the regex cannot backtrack badly.
      return '[^/_-]+(?:[-_]+[^/_-]+){2,}';
    case 'literal':
      return escapeRegExp(segment.text);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface HeadTag {
  name: string;
  attributes: Map<string, string>;
}

/**
 * The `<link>`, `<base>`, `<meta>` and `<html>` tags of a page, in order, stepping over comments and raw-text
 * elements. A linear scan: a regular expression over unclosed quotes or tags backtracks quadratically.
 */
function headTags(html: string): HeadTag[] {
  const tags: HeadTag[] = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end === -1 ? html.length : end + 3;
      continue;
    }
    TAG_NAME.lastIndex = lt + 1;
    const name = TAG_NAME.exec(html)?.[0]?.toLowerCase();
    if (name === undefined) {
      i = lt + 1;
      continue;
    }
    const tagEnd = findTagEnd(html, lt + 1 + name.length);
    // A tag cut off by the end of the text is not read: its last value may be cut too.
    if (tagEnd === html.length) break;
    i = tagEnd + 1;
    if (WANTED_TAGS.has(name)) {
      tags.push({ name, attributes: parseAttributes(html.slice(lt + 1 + name.length, tagEnd)) });
    } else if (RAW_TEXT_ELEMENTS.has(name)) {
      const close = new RegExp(`</${name}`, 'gi');
      close.lastIndex = i;
      const found = close.exec(html);
      i = found ? close.lastIndex : html.length;
    }
  }
  return tags;
}
