import { PermanentError } from '../errors.js';
import { parseDate } from './dates.js';
import {
  children,
  elementBlocks,
  elementText,
  isElement,
  parseXml,
  resolveHttpUrl,
  rootElementName,
  sanitizeXml,
  simpleText,
  xmlProblem,
  type XmlElement,
} from './xml.js';

/** The sitemap protocol's own limit on URLs per file. */
export const MAX_SITEMAP_ENTRIES = 50_000;

/** One `<url>` of a urlset or one `<sitemap>` of an index. */
export interface SitemapEntry {
  url: string;
  /** `<lastmod>` as ISO 8601 UTC. */
  lastmod?: string;
  /** Google News `news:publication_date` as ISO 8601 UTC. */
  publishedAt?: string;
  /** Google News `news:title`. */
  title?: string;
}

/** A parsed sitemap: article URLs (`urlset`) or further sitemaps to fetch (`index`). */
export interface ParsedSitemap {
  kind: 'urlset' | 'index';
  entries: SitemapEntry[];
}

/**
 * Parses a sitemap, a Google News sitemap or a sitemap index, with the same XML safety as feeds (no DOCTYPE,
 * no entity expansion). A truncated file yields its complete entries; anything else throws
 * `PermanentError('parse: not a sitemap (…)')`.
 */
export function parseSitemap(xml: string, baseUrl: string): ParsedSitemap {
  const clean = sanitizeXml(xml.trim());
  const root = rootElementName(clean) ?? '';
  const kind = root === 'urlset' ? 'urlset' : root === 'sitemapindex' ? 'index' : undefined;
  if (!clean.startsWith('<') || !kind) {
    throw new PermanentError(`parse: not a sitemap (${root ? `root element <${root}>` : 'no XML root element'}: ${baseUrl})`);
  }
  const entryTag = kind === 'urlset' ? 'url' : 'sitemap';
  let elements: Array<XmlElement | string>;
  if (xmlProblem(clean) === undefined) {
    const rootElement = children(parseXml(clean), root).find(isElement);
    elements = children(rootElement, entryTag);
  } else {
    // Keep only entries whose own XML is whole; a cut-off download loses just its tail.
    elements = elementBlocks(clean, entryTag, MAX_SITEMAP_ENTRIES)
      .blocks.filter((block) => xmlProblem(block) === undefined)
      .flatMap((block) => {
        try {
          return children(parseXml(block), entryTag);
        } catch {
          return [];
        }
      });
  }
  const entries: SitemapEntry[] = [];
  const seen = new Set<string>();
  for (const element of elements) {
    if (entries.length >= MAX_SITEMAP_ENTRIES) break;
    if (!isElement(element)) continue;
    const entry = readEntry(element, baseUrl);
    if (entry && !seen.has(entry.url)) {
      seen.add(entry.url);
      entries.push(entry);
    }
  }
  return { kind, entries };
}

function readEntry(element: XmlElement, baseUrl: string): SitemapEntry | undefined {
  const url = resolveHttpUrl(simpleText(byLocalName(element, 'loc')), baseUrl);
  if (!url) return undefined;
  const entry: SitemapEntry = { url };
  const lastmod = parseDate(simpleText(byLocalName(element, 'lastmod')));
  if (lastmod) entry.lastmod = lastmod;
  const news = byLocalName(element, 'news');
  if (isElement(news)) {
    const publishedAt = parseDate(simpleText(byLocalName(news, 'publication_date')));
    if (publishedAt) entry.publishedAt = publishedAt;
    const title = elementText(byLocalName(news, 'title'));
    if (title) entry.title = title;
  }
  return entry;
}

/** The first child whose name is `local` under any namespace prefix (`news:news`, `n:news`, `news`). */
function byLocalName(element: XmlElement, local: string): XmlElement | string | undefined {
  const key = Object.keys(element).find((k) => k === local || k.endsWith(`:${local}`));
  return key === undefined ? undefined : children(element, key)[0];
}
