import { PermanentError } from '../errors.js';
import { parseDate } from './dates.js';
import type { ArticleRef, ParsedFeed } from './types.js';
import {
  attribute,
  child,
  childElement,
  children,
  elementBlocks,
  elementText,
  htmlToText,
  isElement,
  parseXml,
  resolveHttpUrl,
  rootElementName,
  sanitizeXml,
  simpleText,
  xmlProblem,
  type XmlElement,
} from './xml.js';

/** Items beyond this many are ignored: no real news feed is that long, and the cap bounds work per poll. */
export const MAX_FEED_ITEMS = 1000;

/** Summaries are for logs and pre-filtering, not for reading; the article page has the text. */
const MAX_SUMMARY_LENGTH = 2000;

/** Hosts whose item links are redirects, so `feedburner:origLink` is the better URL. */
const REDIRECTING_HOSTS = new Set(['feedproxy.google.com', 'feeds.feedburner.com']);

const DATE_ELEMENTS = ['pubDate', 'dc:date', 'published', 'updated', 'atom:published', 'atom:updated', 'dcterms:issued', 'dcterms:modified'];

type XmlFormat = 'rss' | 'atom' | 'rdf';

interface FeedHead {
  title?: string;
  siteUrl?: string;
  /** Base for relative item links: xml:base, else the channel link, else the feed's own URL. */
  base: string;
}

/**
 * Parses an RSS 2.0, Atom 1.0, RDF/RSS 1.0 or JSON Feed 1.x document (recognized by content, not Content-Type)
 * into article references with absolute http(s) URLs. A broken document still yields the items that parse on
 * their own; input that is not a feed throws `PermanentError('parse: not a feed (…)')`.
 */
export function parseFeed(text: string, baseUrl: string): ParsedFeed {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed.length === 0) throw notAFeed('empty document', baseUrl);
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return parseJsonFeed(trimmed, baseUrl);
  if (!trimmed.startsWith('<')) throw notAFeed('neither XML nor JSON', baseUrl);

  const xml = sanitizeXml(trimmed);
  const root = rootElementName(xml) ?? '';
  const format = xmlFormat(root);
  if (!format) throw notAFeed(root.toLowerCase() === 'html' ? 'an HTML page' : root ? `root element <${root}>` : 'no XML root element', baseUrl);

  let problem = xmlProblem(xml);
  if (problem === undefined) {
    try {
      const { container, items } = locate(format, parseXml(xml), root);
      return buildFeed(format, readHead(format, container, baseUrl), items, []);
    } catch (err) {
      // Well-formed but over a parser limit (nesting depth, a reserved name): salvage item by item.
      problem = err instanceof Error ? err.message : String(err);
    }
  }
  return parseBrokenXmlFeed(format, xml, root, baseUrl, problem);
}

function xmlFormat(root: string): XmlFormat | undefined {
  if (root === 'rss') return 'rss';
  if (root === 'feed') return 'atom';
  if (/(?:^|:)RDF$/.test(root)) return 'rdf';
  return undefined;
}

function notAFeed(why: string, baseUrl: string): PermanentError {
  return new PermanentError(`parse: not a feed (${why}: ${baseUrl})`);
}

/** Where the feed's metadata and its items live in each format's tree. */
function locate(format: XmlFormat, tree: XmlElement, root: string): { container: XmlElement | undefined; items: Array<XmlElement | string> } {
  const rootElement = childElement(tree, root);
  if (format === 'atom') return { container: rootElement, items: children(rootElement, 'entry') };
  const channel = childElement(rootElement, 'channel');
  // RSS 2.0 nests items in <channel>; RDF puts them beside it.
  return { container: channel, items: children(format === 'rss' ? channel : rootElement, 'item') };
}

/**
 * The lenient path: the document is not well-formed (truncated download, a broken item), so each complete
 * item is validated and parsed on its own. Items are only kept when their own XML is well-formed.
 */
function parseBrokenXmlFeed(format: XmlFormat, xml: string, root: string, baseUrl: string, problem: string): ParsedFeed {
  const itemTag = format === 'atom' ? 'entry' : 'item';
  const { blocks, truncated } = elementBlocks(xml, itemTag, MAX_FEED_ITEMS);
  if (blocks.length === 0 && truncated === 0) {
    throw new PermanentError(`parse: malformed ${format} feed with no readable items (${problem}: ${baseUrl})`);
  }
  const firstItem = xml.search(new RegExp(`<${itemTag}[\\s/>]`));
  let head: FeedHead = { base: baseUrl };
  try {
    // fast-xml-parser tolerates the unclosed root and channel of a head cut off before the first item.
    head = readHead(format, locate(format, parseXml(xml.slice(0, firstItem === -1 ? xml.length : firstItem)), root).container, baseUrl);
  } catch {
    // A head too broken to read leaves the feed untitled; the items still resolve against baseUrl.
  }
  const skipped = [`document not well-formed, items read one by one (${problem})`];
  const items: XmlElement[] = [];
  blocks.forEach((block, i) => {
    const blockProblem = xmlProblem(block);
    if (blockProblem !== undefined) {
      skipped.push(`item ${i + 1}: malformed XML (${blockProblem})`);
      return;
    }
    try {
      const item = childElement(parseXml(block), itemTag);
      if (item) items.push(item);
    } catch (err) {
      skipped.push(`item ${i + 1}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  if (truncated > 0) skipped.push(`${truncated} ${itemTag}${truncated === 1 ? '' : 's'} without a closing tag`);
  return buildFeed(format, head, items, skipped);
}

function readHead(format: XmlFormat, container: XmlElement | undefined, baseUrl: string): FeedHead {
  const title = elementText(child(container, 'title'), textMarkup(child(container, 'title'))) || undefined;
  if (format === 'atom') {
    const base = resolveHttpUrl(attribute(container, 'xml:base'), baseUrl) ?? baseUrl;
    const siteUrl = alternateLink(container, base);
    return { title, siteUrl, base };
  }
  const siteUrl = resolveHttpUrl(simpleText(child(container, 'link')), baseUrl);
  return { title, siteUrl, base: siteUrl ?? baseUrl };
}

function buildFeed(format: XmlFormat, head: FeedHead, elements: Array<XmlElement | string>, skipped: string[]): ParsedFeed {
  const refs = elements.slice(0, MAX_FEED_ITEMS).map((element) => (isElement(element) ? readItem(format, element, head.base) : { url: '' }));
  const items = keepUsable(refs, skipped);
  if (elements.length > MAX_FEED_ITEMS) skipped.push(`${elements.length - MAX_FEED_ITEMS} items over the ${MAX_FEED_ITEMS}-item cap`);
  return withoutUndefined({ format, title: head.title, siteUrl: head.siteUrl, items, skipped });
}

/** Items with a link, first occurrence of each URL; the rest are explained in `skipped`. */
function keepUsable(refs: ArticleRef[], skipped: string[]): ArticleRef[] {
  const items: ArticleRef[] = [];
  const seen = new Set<string>();
  refs.forEach((ref, i) => {
    if (!ref.url) {
      skipped.push(`item ${i + 1}${ref.title ? ` ("${ref.title.slice(0, 60)}")` : ''}: no usable http(s) link`);
    } else if (seen.has(ref.url)) {
      skipped.push(`item ${i + 1}: duplicate link ${ref.url}`);
    } else {
      seen.add(ref.url);
      items.push(ref);
    }
  });
  return items;
}

/** One item; `url` is empty when no usable link was found. */
function readItem(format: XmlFormat, item: XmlElement, feedBase: string): ArticleRef {
  const base = resolveHttpUrl(attribute(item, 'xml:base'), feedBase) ?? feedBase;
  const titleNode = child(item, 'title');
  const summaryNode = child(item, 'description') ?? child(item, 'summary') ?? child(item, 'content:encoded') ?? child(item, 'content');
  const summary = elementText(summaryNode, textMarkup(summaryNode)).slice(0, MAX_SUMMARY_LENGTH);
  const guid = format === 'rdf' ? attribute(item, 'rdf:about') : simpleText(child(item, format === 'atom' ? 'id' : 'guid'));
  return withoutUndefined({
    url: itemUrl(format, item, base) ?? '',
    title: elementText(titleNode, textMarkup(titleNode)) || undefined,
    publishedAt: firstDate(item),
    guid: guid || undefined,
    summary: summary || undefined,
  });
}

function itemUrl(format: XmlFormat, item: XmlElement, base: string): string | undefined {
  const origLink = resolveHttpUrl(simpleText(child(item, 'feedburner:origLink')), base);
  const link = format === 'atom' ? alternateLink(item, base) : firstHttpLink(item, base);
  if (link) return origLink && REDIRECTING_HOSTS.has(new URL(link).hostname) ? origLink : link;
  if (format === 'rss') {
    const guid = child(item, 'guid');
    // RSS 2.0: a guid is a permalink unless it says isPermaLink="false"; only absolute URLs count.
    if (attribute(guid, 'isPermaLink')?.trim().toLowerCase() !== 'false') {
      const permalink = resolveHttpUrl(simpleText(guid), undefined);
      if (permalink) return permalink;
    }
  }
  return origLink;
}

/** The first `<link>` that resolves to http(s); some feeds lead with an empty or `javascript:` one. */
function firstHttpLink(item: XmlElement, base: string): string | undefined {
  for (const link of children(item, 'link')) {
    const url = resolveHttpUrl(simpleText(link), base);
    if (url) return url;
  }
  return undefined;
}

/** Atom's page link: `rel="alternate"` or no rel, an HTML type preferred over other types. */
function alternateLink(element: XmlElement | undefined, base: string): string | undefined {
  let fallback: string | undefined;
  for (const link of children(element, 'link')) {
    const rel = attribute(link, 'rel')?.trim().toLowerCase() ?? 'alternate';
    if (rel !== 'alternate') continue;
    const linkBase = resolveHttpUrl(attribute(link, 'xml:base'), base) ?? base;
    const href = resolveHttpUrl(attribute(link, 'href'), linkBase);
    if (!href) continue;
    const type = attribute(link, 'type')?.trim().toLowerCase();
    if (type === undefined || type === 'text/html' || type === 'application/xhtml+xml') return href;
    fallback ??= href;
  }
  return fallback;
}

function firstDate(item: XmlElement): string | undefined {
  for (const name of DATE_ELEMENTS) {
    const value = simpleText(child(item, name));
    const iso = value ? parseDate(value) : undefined;
    if (iso) return iso;
  }
  return undefined;
}

function textMarkup(node: XmlElement | string | undefined): 'html' | 'xhtml' {
  return attribute(node, 'type')?.trim().toLowerCase() === 'xhtml' ? 'xhtml' : 'html';
}

/** JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1). */
function parseJsonFeed(text: string, baseUrl: string): ParsedFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw notAFeed(`invalid JSON, ${err instanceof Error ? err.message : String(err)}`, baseUrl);
  }
  if (!isElement(doc) || typeof doc.version !== 'string' || !doc.version.startsWith('https://jsonfeed.org/version/1') || !Array.isArray(doc.items)) {
    throw notAFeed('JSON without a JSON Feed version and items', baseUrl);
  }
  const siteUrl = resolveHttpUrl(stringField(doc, 'home_page_url'), baseUrl);
  const base = siteUrl ?? baseUrl;
  const all: unknown[] = doc.items;
  const refs = all.slice(0, MAX_FEED_ITEMS).map((entry) => (isElement(entry) ? readJsonItem(entry, base) : { url: '' }));
  const skipped: string[] = [];
  const items = keepUsable(refs, skipped);
  if (all.length > MAX_FEED_ITEMS) skipped.push(`${all.length - MAX_FEED_ITEMS} items over the ${MAX_FEED_ITEMS}-item cap`);
  const title = htmlToText(stringField(doc, 'title') ?? '') || undefined;
  return withoutUndefined({ format: 'json', title, siteUrl, items, skipped });
}

function readJsonItem(entry: Record<string, unknown>, base: string): ArticleRef {
  const url = resolveHttpUrl(stringField(entry, 'url'), base) ?? resolveHttpUrl(stringField(entry, 'external_url'), base);
  const summary = htmlToText(stringField(entry, 'summary') ?? stringField(entry, 'content_text') ?? stringField(entry, 'content_html') ?? '');
  const date = stringField(entry, 'date_published') ?? stringField(entry, 'date_modified');
  const id = entry.id;
  return withoutUndefined({
    url: url ?? '',
    title: htmlToText(stringField(entry, 'title') ?? '') || undefined,
    publishedAt: date === undefined ? undefined : parseDate(date),
    guid: typeof id === 'string' || typeof id === 'number' ? String(id) : undefined,
    summary: summary.slice(0, MAX_SUMMARY_LENGTH) || undefined,
  });
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

/** Drops keys whose value is undefined, so results compare cleanly and serialize without noise. */
function withoutUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}
