import { isPermanent } from '../errors.js';
import type { FetchResult, HttpClient } from '../http/client.js';
import { parseSitemap, type SitemapEntry } from '../parsers/sitemap.js';
import type { ArticleRef } from '../parsers/types.js';
import type { FetchValidators, ValidatorStore } from '../store/store.js';

/**
 * Child sitemaps read from an index per poll. News sites split by month or day, so the newest few hold every
 * recent article; the rest are archives that `maxAgeDays` would drop anyway.
 */
export const MAX_CHILD_SITEMAPS = 5;

/** The article links of a sitemap source, in the shape `fetchRefs` returns. */
export interface SitemapRefs {
  refs: ArticleRef[];
  notModified: boolean;
  bytes: number;
}

type Fetched = { url: string; response: FetchResult };

/**
 * Fetches a sitemap source: a urlset gives its entries; an index gives the entries of its newest child sitemaps
 * (by `lastmod`, at most `MAX_CHILD_SITEMAPS`). Each sitemap URL keeps its own validators, stored only once every
 * sitemap of the poll has been read, so a failed poll is fetched in full again. An index's own validators are not
 * kept: its children may change while it does not, so it is always read. A child that is gone or unparseable is
 * skipped; a transient failure of any child fails the poll (and the queue retries it).
 */
export async function fetchSitemapRefs(deps: { http: HttpClient; store: ValidatorStore }, url: string): Promise<SitemapRefs> {
  const validators = await deps.store.getValidators(url);
  const response = await deps.http.get(url, { accept: 'any', validators, trusted: true });
  if (response.status === 'not-modified') return { refs: [], notModified: true, bytes: response.bytes };
  const parsed = parseSitemap(response.text, response.url);
  if (parsed.kind === 'urlset') {
    await deps.store.setValidators(url, response.validators);
    return { refs: parsed.entries.map(toRef), notModified: false, bytes: response.bytes };
  }

  const children = newestFirst(parsed.entries).slice(0, MAX_CHILD_SITEMAPS);
  const settled = await Promise.allSettled(
    children.map(async (child): Promise<Fetched> => {
      const childValidators = await deps.store.getValidators(child.url);
      return { url: child.url, response: await deps.http.get(child.url, { accept: 'any', validators: childValidators }) };
    }),
  );
  const failures = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
  const transient = failures.find((reason) => !isPermanent(reason));
  if (transient !== undefined) throw transient;

  const refs: ArticleRef[] = [];
  const read: Array<{ url: string; validators: FetchValidators }> = [];
  let bytes = response.bytes;
  let notModified = 0;
  for (const outcome of settled) {
    if (outcome.status === 'rejected') continue;
    const { url: childUrl, response: child } = outcome.value;
    bytes += child.bytes;
    if (child.status === 'not-modified') {
      notModified += 1;
      continue;
    }
    try {
      const childSitemap = parseSitemap(child.text, child.url);
      // Indexes of indexes exist, but one level covers news sites; deeper ones would multiply the fetches.
      if (childSitemap.kind === 'urlset') refs.push(...childSitemap.entries.map(toRef));
      read.push({ url: childUrl, validators: child.validators });
    } catch (err) {
      failures.push(err);
    }
  }
  if (children.length > 0 && failures.length === children.length) throw failures[0];
  for (const { url: childUrl, validators: childValidators } of read) await deps.store.setValidators(childUrl, childValidators);
  return { refs, notModified: children.length > 0 && notModified === children.length, bytes };
}

/** Entries with a `lastmod`, newest first, then the undated ones in document order. */
function newestFirst(entries: SitemapEntry[]): SitemapEntry[] {
  const dated = entries.filter((entry) => entry.lastmod !== undefined);
  const undated = entries.filter((entry) => entry.lastmod === undefined);
  dated.sort((a, b) => Date.parse(b.lastmod ?? '') - Date.parse(a.lastmod ?? ''));
  return [...dated, ...undated];
}

function toRef(entry: SitemapEntry): ArticleRef {
  const ref: ArticleRef = { url: entry.url };
  if (entry.title) ref.title = entry.title;
  // lastmod is at or after publication: an edited old article may pass the age filter, a new one is never dropped.
  const publishedAt = entry.publishedAt ?? entry.lastmod;
  if (publishedAt) ref.publishedAt = publishedAt;
  return ref;
}
