import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from '../atomic-file.js';
import { parseDocument, stringify } from 'yaml';
import { appendSource } from '../config/edit.js';
import { errorMessage, PermanentError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { findFeedLinks, guessArticlePattern, readPageInfo, type FeedLinkType } from '../parsers/autodiscover.js';
import { parseFeed } from '../parsers/feed.js';
import type { ParsedFeed } from '../parsers/types.js';

/** A feed looked at while adding a source: the URL given, or one its page announced, and what fetching it gave. */
export interface FeedCandidate {
  url: string;
  /** `given` when the URL asked for is itself the feed; `link` when the page announced it. */
  via: 'given' | 'link';
  /** The type the page announced, for `link` candidates. */
  announced?: FeedLinkType;
  /** The format found by parsing, when it parsed. */
  format?: ParsedFeed['format'];
  title?: string;
  /** Items in the feed now, when it parsed. */
  items?: number;
  /** Why it could not be used (fetch or parse failure). */
  error?: string;
}

/** What `addSource` found and did. */
export interface AddSourceResult {
  feeds: FeedCandidate[];
  /** The feed the source uses; absent when no feed parsed with items. */
  chosen?: FeedCandidate;
  /** The proposed source entry, ready for the `sources` list. */
  source?: Record<string, unknown>;
  written: boolean;
  /** True when `source` is a listing source whose `articlePattern` was guessed from the page's links. */
  guessed?: boolean;
  /** For a guessed pattern: the page's links it matches. */
  matches?: string[];
  /** The config file the source was (or would be) added to. */
  configPath: string;
  /** Why nothing was proposed or written, when that happened. */
  notes: string[];
}

/** Options of `addSource`. */
export interface AddSourceOptions {
  /** A site page, section page or feed URL. */
  url: string;
  configPath: string;
  http: HttpClient;
  id?: string;
  name?: string;
  schedule?: string;
  /** Append the source to the config file; false for a dry run. */
  write: boolean;
  /** Variables for `${VAR}` references while validating the edited file. @defaultValue process.env */
  env?: Record<string, string | undefined>;
}

/** Feeds announced by one page that are fetched; a page announcing more is unusual and the first ones are its main feeds. */
const MAX_CANDIDATES = 8;
/** Links listed under a guessed pattern in the printed result. */
const SHOWN_MATCHES = 5;

/**
 * Finds a feed for a site and proposes (and, when `write`, appends) a source for it. The URL may be a feed, in
 * which case it is used as is; otherwise the page's announced feeds are fetched and parsed, and the first with
 * items is chosen. With no working feed, a `listing` source with a guessed `articlePattern` is proposed but never
 * written: a guessed pattern needs a person to check it. Throws when the URL itself cannot be fetched.
 */
export async function addSource(options: AddSourceOptions): Promise<AddSourceResult> {
  const result: AddSourceResult = { feeds: [], written: false, configPath: options.configPath, notes: [] };
  const page = await options.http.get(options.url, { accept: 'any', trusted: true });
  if (page.status !== 'ok') throw new PermanentError(`sources: ${options.url} answered 304 Not Modified to an unconditional request`);

  let html: string | undefined;
  const direct = tryParseFeed(page.text, page.url);
  if (direct.feed) {
    result.feeds.push(candidate(page.url, 'given', direct.feed));
  } else {
    html = page.text;
    for (const link of findFeedLinks(html, page.url).slice(0, MAX_CANDIDATES)) {
      result.feeds.push(await inspectFeed(options.http, link.url, link.type));
    }
  }
  result.chosen = result.feeds.find((feed) => feed.via === 'given') ?? result.feeds.find((feed) => (feed.items ?? 0) > 0);

  const configText = await readConfigText(options.configPath);
  const existing = configuredSources(configText);
  const info = html === undefined ? {} : readPageInfo(html);
  const id = options.id ?? uniqueId(sourceIdFromHost(new URL(page.url).hostname), existing);
  const name = options.name ?? result.chosen?.title ?? info.title ?? new URL(page.url).hostname;

  let where: Record<string, unknown>;
  if (result.chosen) {
    where = { feed: result.chosen.url };
  } else {
    // Without a chosen feed the URL was not a feed, so `html` holds the page.
    const guess = guessArticlePattern(html ?? '', page.url);
    if (!guess) {
      result.notes.push(`no feed found on ${page.url}, and no article-like link shape to guess a listing pattern from`);
      return result;
    }
    where = { listing: page.url, articlePattern: guess.pattern };
    result.guessed = true;
    result.matches = guess.matches;
  }
  const source: Record<string, unknown> = { id, name, ...where };
  if (info.language) source.language = info.language;
  if (options.schedule) source.schedule = options.schedule;
  result.source = source;

  const pollUrl = String(where.feed ?? where.listing);
  const already = existing.find((item) => item.url === pollUrl);
  if (already) {
    result.notes.push(`${pollUrl} is already configured as source "${already.id}"; nothing written`);
    return result;
  }
  if (result.guessed) {
    result.notes.push('the articlePattern is a guess from this page\'s links: check it, then add the source by hand; nothing written');
    return result;
  }
  // Validate even on a dry run, so the preview is known to load.
  const edited = appendSource(configText, source, { file: options.configPath, env: options.env ?? process.env });
  if (options.write) {
    await writeFileAtomically(options.configPath, edited);
    result.written = true;
  }
  return result;
}

/** The lines `diplowatch sources add` prints for a result. */
export function formatAddResult(result: AddSourceResult): string {
  const lines: string[] = [];
  if (result.feeds.length > 0) {
    lines.push('feeds:');
    for (const feed of result.feeds) {
      const kind = feed.format ?? feed.announced ?? 'feed';
      const state = feed.error ? `unusable: ${feed.error}` : `${feed.items ?? 0} items${feed.title ? `, "${feed.title}"` : ''}`;
      lines.push(`  ${feed === result.chosen ? '*' : '-'} ${feed.url} (${kind}, ${state})`);
    }
  } else {
    lines.push('feeds: none announced by the page');
  }
  if (result.source) {
    lines.push(result.guessed ? 'proposed source (GUESS: no working feed; articlePattern inferred from the page\'s links):' : 'source:');
    const item = stringify([result.source], { lineWidth: 0, singleQuote: true }).trimEnd();
    lines.push(...item.split('\n').map((line) => `  ${line}`));
  }
  if (result.guessed && result.matches) {
    lines.push(`the pattern matches ${result.matches.length} links on the page, e.g.:`);
    lines.push(...result.matches.slice(0, SHOWN_MATCHES).map((url) => `  ${url}`));
  }
  lines.push(...result.notes);
  if (result.written) lines.push(`added to ${result.configPath}`);
  else if (result.source && result.notes.length === 0) lines.push(`dry run: ${result.configPath} not changed`);
  return lines.join('\n');
}

/**
 * A source id from a host name: the site's own label, after dropping `www.`/`m.` and the public suffix, followed by
 * any other subdomain (`www.telesurenglish.net` → `telesurenglish`, `en.irna.ir` → `irna-en`).
 */
export function sourceIdFromHost(hostname: string): string {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (/^[\d.]+$/.test(host) || host.includes(':')) return `site-${host.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
  const labels = host.split('.').filter((label) => label !== '');
  while (labels.length > 2 && (labels[0] === 'www' || labels[0] === 'm' || labels[0] === 'amp')) labels.shift();
  // A two-letter country code after a generic second level (`co.uk`, `com.ve`, `gob.ni`) is one suffix.
  const suffixLength = labels.length > 2 && /^[a-z]{2}$/.test(labels.at(-1) ?? '') && SECOND_LEVELS.has(labels.at(-2) ?? '') ? 2 : 1;
  const rest = labels.length > suffixLength ? labels.slice(0, labels.length - suffixLength) : labels;
  const site = rest.at(-1) ?? host;
  const id = [site, ...rest.slice(0, -1).filter((label) => label !== 'www')].join('-');
  return id.replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 64) || 'source';
}

const SECOND_LEVELS = new Set(['co', 'com', 'org', 'net', 'gov', 'gob', 'gub', 'edu', 'ac', 'or', 'ne', 'nom', 'info']);

function uniqueId(base: string, existing: Array<{ id: string }>): string {
  const taken = new Set(existing.map((item) => item.id));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const id = `${base.slice(0, 60)}-${n}`;
    if (!taken.has(id)) return id;
  }
}

function tryParseFeed(text: string, url: string): { feed?: ParsedFeed; error?: string } {
  try {
    return { feed: parseFeed(text, url) };
  } catch (err) {
    return { error: errorMessage(err) };
  }
}

function candidate(url: string, via: FeedCandidate['via'], feed: ParsedFeed, announced?: FeedLinkType): FeedCandidate {
  const found: FeedCandidate = { url, via, format: feed.format, items: feed.items.length };
  if (announced) found.announced = announced;
  if (feed.title) found.title = feed.title;
  return found;
}

async function inspectFeed(http: HttpClient, url: string, announced: FeedLinkType): Promise<FeedCandidate> {
  try {
    const response = await http.get(url, { accept: 'feed' });
    if (response.status !== 'ok') return { url, via: 'link', announced, error: 'not modified' };
    const parsed = tryParseFeed(response.text, response.url);
    // Keep the announced URL: the redirect target may be a CDN address that changes.
    return parsed.feed ? candidate(url, 'link', parsed.feed, announced) : { url, via: 'link', announced, error: parsed.error ?? 'not a feed' };
  } catch (err) {
    return { url, via: 'link', announced, error: errorMessage(err) };
  }
}

async function readConfigText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    // A missing file is started afresh; any other read failure is reported.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/** The ids and polled URLs already in the config text, read leniently (the file is validated after the edit). */
function configuredSources(configText: string): Array<{ id: string; url?: string }> {
  let raw: unknown;
  try {
    raw = parseDocument(configText).toJS();
  } catch {
    return [];
  }
  const list = typeof raw === 'object' && raw !== null ? (raw as { sources?: unknown }).sources : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const { id, feed, listing, sitemap } = item as Record<string, unknown>;
    if (typeof id !== 'string') return [];
    const url = [feed, listing, sitemap].find((value): value is string => typeof value === 'string');
    return [url === undefined ? { id } : { id, url }];
  });
}

