/**
 * Page metadata an article extractor needs beyond the body: canonical URL, title, byline, site name, language
 * and publication time, read from `<meta>`/`<link>` tags, JSON-LD and, as a last resort, the visible text.
 */
import { findVisibleDate, parseDate } from './dates.js';
import { blockText } from './text.js';
import type { ExtractOptions } from './types.js';

/** What {@link extractMetadata} found; every field is optional because pages omit any of them. */
export interface PageMetadata {
  canonicalUrl?: string;
  title?: string;
  byline?: string;
  siteName?: string;
  /** Two-letter primary language subtag. */
  lang?: string;
  /** ISO 8601 UTC. */
  publishedAt?: string;
  /** Where publishedAt came from, for tests and diagnostics. */
  publishedAtSource?: 'json-ld' | 'meta' | 'time' | 'fallback' | 'visible';
  description?: string;
  /** JSON-LD `articleBody`, entities decoded; may still hold HTML tags. */
  articleBody?: string;
}

type JsonObject = Record<string, unknown>;

const ARTICLE_TYPES = new Set([
  'article', 'newsarticle', 'reportagenewsarticle', 'analysisnewsarticle', 'opinionnewsarticle',
  'backgroundnewsarticle', 'reviewnewsarticle', 'blogposting', 'liveblogposting', 'report',
]);
const ORGANIZATION_TYPES = new Set(['organization', 'newsmediaorganization', 'corporation']);
const DATE_METAS = ['datepublished', 'pubdate', 'publishdate', 'date', 'dc.date', 'dc.date.issued', 'dcterms.created', 'sailthru.date', 'parsely-pub-date', 'article.published'];
// Titles often end with " | Site" or " - Site"; a short last segment is taken to be the site's name.
const TITLE_SUFFIX = /\s+[|\-–—·:]\s+([^|\-–—·:]{1,40})$/;

/** Reads canonical URL, title, byline, site name, language and publication time from a parsed page. */
export function extractMetadata(document: Document, jsonLd: string[], url: string, options: ExtractOptions = {}): PageMetadata {
  const nodes = jsonLdNodes(jsonLd);
  const article = nodes.find((node) => hasType(node, ARTICLE_TYPES));
  const metas = metaMap(document);
  const meta = (key: string): string | undefined => metas.get(key);
  const decode = (value: unknown): string | undefined => (typeof value === 'string' ? cleanString(decodeEntities(document, value)) : undefined);

  const lang =
    languageSubtag(document.documentElement.getAttribute('lang')) ??
    languageSubtag(meta('og:locale')) ??
    languageSubtag(meta('content-language')) ??
    languageSubtag(typeof article?.inLanguage === 'string' ? article.inLanguage : undefined);

  const result: PageMetadata = {
    canonicalUrl: httpUrl(canonicalHref(document), url) ?? httpUrl(meta('og:url'), url),
    title: meta('og:title') ?? decode(article?.headline) ?? stripTitleSuffix(cleanString(document.title)),
    byline: meta('author') ?? authorNames(article, decode) ?? nonUrl(meta('article:author')),
    siteName: meta('og:site_name') ?? publisherName(article, nodes, decode),
    lang,
    description: meta('description') ?? meta('og:description') ?? meta('twitter:description'),
    // Paragraph breaks in articleBody are kept; the extractor tidies the rest.
    articleBody: typeof article?.articleBody === 'string' && article.articleBody.trim() !== '' ? decodeEntities(document, article.articleBody) : undefined,
  };
  Object.assign(result, publicationTime(document, metas, article, { now: options.now, lang }, options.fallbackPublishedAt));
  return dropUndefined(result);
}

function publicationTime(
  document: Document,
  metas: Map<string, string>,
  article: JsonObject | undefined,
  dateOptions: { now: number | undefined; lang: string | undefined },
  fallback: string | undefined,
): Pick<PageMetadata, 'publishedAt' | 'publishedAtSource'> {
  const parse = (value: unknown): string | undefined =>
    typeof value === 'string' && value.trim() !== '' ? parseDate(value.trim(), withoutUndefined(dateOptions)) : undefined;
  const fromJsonLd = parse(article?.datePublished) ?? parse(article?.dateCreated);
  if (fromJsonLd) return { publishedAt: fromJsonLd, publishedAtSource: 'json-ld' };
  for (const key of ['article:published_time', 'og:article:published_time', ...DATE_METAS]) {
    const value = parse(metas.get(key));
    if (value) return { publishedAt: value, publishedAtSource: 'meta' };
  }
  for (const time of articleArea(document)?.getElementsByTagName('time') ?? []) {
    const value = parse(time.getAttribute('datetime'));
    if (value) return { publishedAt: value, publishedAtSource: 'time' };
  }
  const fromFeed = parse(fallback);
  if (fromFeed) return { publishedAt: fromFeed, publishedAtSource: 'fallback' };
  const visible = visibleDateNearTitle(document, withoutUndefined(dateOptions));
  if (visible) return { publishedAt: visible, publishedAtSource: 'visible' };
  return {};
}

// jsdom's querySelector costs milliseconds per call on large pages; tag-name lookups are nearly free.
function articleArea(document: Document): Element | undefined {
  return document.getElementsByTagName('article')[0] ?? document.getElementsByTagName('main')[0];
}

function canonicalHref(document: Document): string | undefined {
  for (const link of document.getElementsByTagName('link')) {
    const rel = link.getAttribute('rel')?.toLowerCase().split(/\s+/) ?? [];
    if (rel.includes('canonical')) return link.getAttribute('href') ?? undefined;
  }
  return undefined;
}

/** Looks just after the headline first (where datelines sit), then just before it. */
function visibleDateNearTitle(document: Document, options: { now?: number; lang?: string }): string | undefined {
  const root = document.body;
  if (!root) return undefined;
  const text = blockText(root);
  const heading = document.getElementsByTagName('h1')[0];
  const headingText = heading ? blockText(heading) : '';
  const at = headingText === '' ? -1 : text.indexOf(headingText);
  if (at === -1) {
    const area = articleArea(document);
    return findVisibleDate((area ? blockText(area) : text).slice(0, 3000), options);
  }
  const after = text.slice(at, at + headingText.length + 800);
  return findVisibleDate(after, options) ?? findVisibleDate(text.slice(Math.max(0, at - 400), at), options);
}

/** First non-empty content of each `<meta>` by its lower-cased property, name or itemprop, in one pass. */
function metaMap(document: Document): Map<string, string> {
  const metas = new Map<string, string>();
  for (const element of document.getElementsByTagName('meta')) {
    const value = cleanString(element.getAttribute('content'));
    if (!value) continue;
    for (const attribute of ['property', 'name', 'itemprop', 'http-equiv']) {
      const key = element.getAttribute(attribute)?.toLowerCase();
      if (key && !metas.has(key)) metas.set(key, value);
    }
  }
  return metas;
}

/** Parses each JSON-LD block and flattens arrays and `@graph`s into one list of objects. */
function jsonLdNodes(blocks: string[]): JsonObject[] {
  const nodes: JsonObject[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > 4) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
    } else if (isObject(value)) {
      nodes.push(value);
      if (value['@graph'] !== undefined) visit(value['@graph'], depth + 1);
      if (isObject(value.mainEntity)) visit(value.mainEntity, depth + 1);
    }
  };
  for (const block of blocks) visit(parseJson(block), 0);
  return nodes;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Outlets often put raw newlines or tabs inside JSON-LD strings, which strict JSON forbids.
    try {
      return JSON.parse(text.replace(/[\u0000-\u001f]+/g, ' ')) as unknown;
    } catch {
      return undefined;
    }
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasType(node: JsonObject, types: Set<string>): boolean {
  const type = node['@type'];
  const list = Array.isArray(type) ? type : [type];
  return list.some((item) => typeof item === 'string' && types.has(item.toLowerCase()));
}

function authorNames(article: JsonObject | undefined, decode: (value: unknown) => string | undefined): string | undefined {
  const authors = article?.author;
  const list = Array.isArray(authors) ? authors : authors === undefined ? [] : [authors];
  const names = list
    .map((author) => (isObject(author) ? decode(author.name) : decode(author)))
    .filter((name): name is string => name !== undefined && nonUrl(name) !== undefined);
  return names.length > 0 ? names.join(', ') : undefined;
}

function publisherName(article: JsonObject | undefined, nodes: JsonObject[], decode: (value: unknown) => string | undefined): string | undefined {
  const publisher = article?.publisher;
  if (isObject(publisher)) {
    const named = decode(publisher.name);
    if (named) return named;
    const id = publisher['@id'];
    const linked = nodes.find((node) => node['@id'] === id && node !== publisher);
    if (linked) return decode(linked.name);
  }
  return decode(nodes.find((node) => hasType(node, ORGANIZATION_TYPES))?.name);
}

function httpUrl(value: string | null | undefined, base: string): string | undefined {
  if (!value) return undefined;
  try {
    const resolved = new URL(value.trim(), base);
    return resolved.protocol === 'http:' || resolved.protocol === 'https:' ? resolved.href : undefined;
  } catch {
    return undefined;
  }
}

/** The two-letter primary subtag of a language tag or locale (`pt-BR`, `es_ES`), or undefined. */
export function languageSubtag(value: string | null | undefined): string | undefined {
  const primary = value?.trim().toLowerCase().split(/[-_]/)[0];
  return primary !== undefined && /^[a-z]{2}$/.test(primary) ? primary : undefined;
}

/** Drops a trailing " | Site" segment, twice at most ("Story | Section | Site"). */
export function stripTitleSuffix(title: string | undefined): string | undefined {
  let result = title;
  for (let i = 0; i < 2 && result !== undefined; i++) {
    const match = TITLE_SUFFIX.exec(result);
    // Keep the title whole when cutting would leave too little of it.
    if (!match || match.index < 15) break;
    result = result.slice(0, match.index);
  }
  return result;
}

function nonUrl(value: string | undefined): string | undefined {
  return value !== undefined && !/^https?:\/\//i.test(value) ? value : undefined;
}

function cleanString(value: string | null | undefined): string | undefined {
  const cleaned = value?.replace(/\s+/g, ' ').trim();
  return cleaned ? cleaned : undefined;
}

/** JSON-LD strings often carry HTML entities (`&#039;`); the page's own parser decodes them. */
function decodeEntities(document: Document, value: string): string {
  if (!/&(#\d+|#x[0-9a-f]+|[a-z]+);/i.test(value)) return value;
  const textarea = document.createElement('textarea');
  textarea.innerHTML = value;
  return textarea.value;
}

function withoutUndefined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

function dropUndefined(value: PageMetadata): PageMetadata {
  return withoutUndefined(value);
}
