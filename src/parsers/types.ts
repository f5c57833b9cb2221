/** A link to an article found in a feed, listing page or sitemap. */
export interface ArticleRef {
  /** Absolute URL of the article page. */
  url: string;
  title?: string;
  /** ISO 8601 timestamp when the source said when it was published. */
  publishedAt?: string;
  /** Feed GUID / Atom id / JSON Feed id, when the source gave one. */
  guid?: string;
  /** Feed summary or description as plain text, when given. */
  summary?: string;
}

/** The result of parsing a feed document. */
export interface ParsedFeed {
  format: 'rss' | 'atom' | 'rdf' | 'json';
  title?: string;
  /** The feed's own link to its site, when given. */
  siteUrl?: string;
  items: ArticleRef[];
  /** Items that could not be used (missing or invalid link), with why; the others are still returned. */
  skipped: string[];
}

/** An article page cleaned by the extractor. */
export interface Article {
  /** The URL the page was fetched from (after redirects). */
  url: string;
  /** `<link rel=canonical>` / `og:url` when present and absolute, else `url`. */
  canonicalUrl: string;
  title: string;
  byline?: string;
  /** The article body as plain text, paragraphs separated by a blank line. */
  text: string;
  excerpt?: string;
  /** BCP 47 primary language subtag (`en`, `es`, `pt`) when known. */
  lang?: string;
  siteName?: string;
  /** ISO 8601 timestamp. */
  publishedAt?: string;
}

/** Options for the article extractor. */
export interface ExtractOptions {
  /** Readability's maxElemsToParse; pages with more elements fail with a PermanentError. @defaultValue 20000 */
  maxElemsToParse?: number;
  /** HTML larger than this (in UTF-16 code units) is refused before parsing. @defaultValue 2_000_000 */
  maxHtmlLength?: number;
  /** Fallback publication date (e.g. from the feed item). */
  fallbackPublishedAt?: string;
  /** Fallback title (e.g. from the feed item). */
  fallbackTitle?: string;
  /** Reference time for resolving relative or year-less visible dates (ms since epoch). */
  now?: number;
}
