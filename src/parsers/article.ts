/**
 * Article extraction: trim the page, parse it with jsdom (no scripts, no resources), let Readability find the
 * article, clean what outlets insert inside it, and turn it into plain text with its metadata.
 */
import { Readability } from '@mozilla/readability';
import { JSDOM, VirtualConsole } from 'jsdom';
import { PermanentError, errorMessage } from '../errors.js';
import { cleanArticleContent } from './clean.js';
import { extractMetadata, languageSubtag } from './metadata.js';
import { blockText, tidyPlainText } from './text.js';
import { trimHtml } from './trim.js';
import type { Article, ExtractOptions } from './types.js';

const DEFAULT_MAX_ELEMS = 20_000;
const DEFAULT_MAX_HTML_LENGTH = 2_000_000;
// Below this much text, what Readability found is a stub or a link list rather than an article.
const MIN_ARTICLE_CHARS = 140;

/** Extracts the article of an HTML page. Throws PermanentError when the page has none or cannot be parsed. */
export function extractArticle(html: string, url: string, options: ExtractOptions = {}): Article {
  const trimmed = trimHtml(html);
  const maxLength = options.maxHtmlLength ?? DEFAULT_MAX_HTML_LENGTH;
  if (trimmed.html.length > maxLength) {
    throw new PermanentError(`extract: page is ${size(trimmed.html.length)} after trimming, over the ${size(maxLength)} limit (${url})`);
  }
  let dom: JSDOM;
  try {
    // A VirtualConsole with no listeners swallows jsdom's CSS and parse complaints.
    dom = new JSDOM(trimmed.html, { url, contentType: 'text/html', virtualConsole: new VirtualConsole() });
  } catch (err) {
    throw new PermanentError(`extract: ${errorMessage(err)} (${url})`, { cause: err });
  }
  try {
    return readArticle(dom.window.document, trimmed.jsonLd, url, options);
  } catch (err) {
    if (err instanceof PermanentError) throw err;
    throw new PermanentError(`extract: ${errorMessage(err)} (${url})`, { cause: err });
  } finally {
    dom.window.close();
  }
}

function readArticle(document: Document, jsonLd: string[], url: string, options: ExtractOptions): Article {
  // Readability rewrites the document, so metadata and the whole page's text are read first.
  const metadata = extractMetadata(document, jsonLd, url, options);
  const pageText = metadata.articleBody !== undefined && document.body ? blockText(document.body) : '';
  const parsed = new Readability<Element>(document, {
    maxElemsToParse: options.maxElemsToParse ?? DEFAULT_MAX_ELEMS,
    // Classes are kept because the cleaner reads them; the output is text, so they never leak.
    keepClasses: true,
    serializer: (node) => node as Element,
  }).parse();
  const content = parsed?.content;
  if (!content) throw new PermanentError(`extract: no article found (${url})`);
  cleanArticleContent(content, metadata.byline === undefined ? {} : { byline: metadata.byline });
  let text = blockText(content);
  if (text.length < MIN_ARTICLE_CHARS) throw new PermanentError(`extract: no article found (${url})`);
  if (metadata.articleBody !== undefined) {
    const body = articleBodyText(document, metadata.articleBody);
    if (isConsistentBody(body, text, pageText)) text = body;
  }
  const lang = metadata.lang ?? languageSubtag(parsed.lang) ?? guessLanguage(text);
  const article: Article = {
    url,
    canonicalUrl: metadata.canonicalUrl ?? url,
    title: nonEmpty(parsed.title) ?? metadata.title ?? options.fallbackTitle ?? '',
    text,
  };
  const byline = metadata.byline ?? nonEmpty(parsed.byline);
  // Readability's own excerpt falls back to the first <p>, often a byline; the cleaned text's first paragraph is not.
  const excerpt = metadata.description ?? text.split('\n\n').find((paragraph) => paragraph.length >= 80);
  const siteName = metadata.siteName ?? nonEmpty(parsed.siteName);
  const publishedAt = metadata.publishedAt;
  if (byline !== undefined) article.byline = byline;
  if (excerpt !== undefined) article.excerpt = excerpt;
  if (lang !== undefined) article.lang = lang;
  if (siteName !== undefined) article.siteName = siteName;
  if (publishedAt !== undefined) article.publishedAt = publishedAt;
  return article;
}

/** JSON-LD bodies are sometimes HTML; those are parsed in the page's document (inert, never rendered). */
function articleBodyText(document: Document, body: string): string {
  if (!/<[a-z][^>]*>/i.test(body)) return tidyPlainText(body);
  const holder = document.createElement('div');
  holder.innerHTML = body;
  return blockText(holder);
}

/**
 * Trusts JSON-LD `articleBody` only when it is the same story as the page shows: most of its 4-token shingles
 * appear in the page text (not a teaser of another article, not a stale copy) and it is at least half as long as
 * what Readability found (not a paywall stub).
 */
export function isConsistentBody(body: string, readabilityText: string, pageText: string): boolean {
  if (body.length < readabilityText.length * 0.5) return false;
  const shingles = shingleList(body);
  if (shingles.length === 0) return false;
  const page = new Set(shingleList(`${pageText}\n${readabilityText}`));
  const found = shingles.filter((shingle) => page.has(shingle)).length;
  return found / shingles.length >= 0.8;
}

function shingleList(text: string): string[] {
  const tokens = text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  const shingles: string[] = [];
  for (let i = 0; i + 4 <= tokens.length; i++) shingles.push(tokens.slice(i, i + 4).join(' '));
  return shingles;
}

const STOPWORDS: Record<'en' | 'es' | 'pt', Set<string>> = {
  en: new Set(['the', 'and', 'of', 'to', 'is', 'that', 'for', 'with', 'was', 'by', 'it', 'at', 'from', 'has', 'have', 'which', 'were', 'said']),
  es: new Set(['el', 'la', 'los', 'las', 'y', 'del', 'con', 'una', 'es', 'al', 'más', 'pero', 'su', 'sus', 'lo', 'fue', 'según', 'también']),
  pt: new Set(['o', 'os', 'e', 'em', 'do', 'da', 'dos', 'das', 'não', 'uma', 'com', 'na', 'é', 'ao', 'mais', 'foi', 'segundo', 'também']),
};

/** A stopword guess among English, Spanish and Portuguese for pages that do not declare their language. */
export function guessLanguage(text: string): 'en' | 'es' | 'pt' | undefined {
  const counts = { en: 0, es: 0, pt: 0 };
  for (const word of text.toLowerCase().match(/\p{L}+/gu) ?? []) {
    for (const lang of ['en', 'es', 'pt'] as const) if (STOPWORDS[lang].has(word)) counts[lang]++;
  }
  const ranked = (['en', 'es', 'pt'] as const).map((lang) => [lang, counts[lang]] as const).sort((a, b) => b[1] - a[1]);
  const [best, second] = ranked;
  if (!best || !second || best[1] < 3 || best[1] < second[1] * 1.5) return undefined;
  return best[0];
}

function nonEmpty(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** "5.2 MB" for pages, "12 kB" for the small limits tests and odd configs use. */
function size(length: number): string {
  if (length >= 100_000) return `${Number((length / 1_000_000).toFixed(1))} MB`;
  return `${Math.ceil(length / 1000)} kB`;
}
